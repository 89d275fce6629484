/* `pocketnn quantize IN OUT --mode MODE`: float16 weights, int8 hybrid
 * weights or clustered float weights; see src/tools/quantize.c and
 * docs/tools.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format/model.h"
#include "tool_out.h"

static const char kUsage[] =
    "usage: pocketnn quantize IN.tflite OUT.tflite --mode MODE\n"
    "           [--clusters N] [--min-elements N] [--report]\n"
    "  --mode fp16           float32 constants stored as float16, read\n"
    "                        through DEQUANTIZE (half the weight bytes)\n"
    "  --mode dynamic        int8 symmetric weights (per output channel) for\n"
    "                        CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,\n"
    "                        per tensor for BATCH_MATMUL; float activations\n"
    "  --mode round-weights  every float32 constant clustered to at most\n"
    "                        --clusters values (default 256); stays float32\n"
    "                        but compresses well\n"
    "  --min-elements N      smallest tensor converted (defaults: fp16 16,\n"
    "                        dynamic 1024, round-weights 1)\n"
    "  --report              sizes, op counts, every tensor converted or\n"
    "                        kept and why\n"
    "OUT is written through a temporary file: nothing is left on failure.\n";

int cli_quantize(int argc, char **argv) {
  pnn_quantize_options o;
  pnn_quantize_options_init(&o);
  const char *paths[2] = {NULL, NULL};
  int n_paths = 0;
  bool report = false, have_mode = false;
  for (int i = 1; i < argc; i++) {
    const char *v;
    int m;
    long n;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(kUsage, stdout);
      return CLI_EXIT_OK;
    } else if ((m = cli_opt_value(argc, argv, &i, "--mode", &v)) != 0) {
      if (m < 0) return cli_usage_error(kUsage, "--mode needs a value");
      have_mode = true;
      if (!strcmp(v, "fp16"))
        o.mode = PNN_QUANT_FP16;
      else if (!strcmp(v, "dynamic"))
        o.mode = PNN_QUANT_DYNAMIC;
      else if (!strcmp(v, "round-weights"))
        o.mode = PNN_QUANT_ROUND_WEIGHTS;
      else if (!strcmp(v, "int8") || !strcmp(v, "16x8"))
        return cli_usage_error(kUsage,
                               "--mode %s is not available yet "
                               "(fp16, dynamic, round-weights are)",
                               v);
      else
        return cli_usage_error(kUsage, "unknown --mode '%s'", v);
    } else if ((m = cli_opt_value(argc, argv, &i, "--clusters", &v)) != 0) {
      if (m < 0 || !cli_parse_long(v, 2, 65536, &n))
        return cli_usage_error(kUsage,
                               "--clusters needs an integer in "
                               "[2, 65536]");
      o.clusters = (int)n;
    } else if ((m = cli_opt_value(argc, argv, &i, "--min-elements", &v)) != 0) {
      if (m < 0 || !cli_parse_long(v, 1, 1L << 40, &n))
        return cli_usage_error(kUsage,
                               "--min-elements needs a positive "
                               "integer");
      o.min_elements = n;
    } else if (!strcmp(argv[i], "--report")) {
      report = true;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return cli_usage_error(kUsage, "unknown option '%s'", argv[i]);
    } else if (n_paths < 2) {
      paths[n_paths++] = argv[i];
    } else {
      return cli_usage_error(kUsage, "unexpected argument '%s'", argv[i]);
    }
  }
  if (n_paths != 2) return cli_usage_error(kUsage, "needs IN and OUT");
  if (!have_mode) return cli_usage_error(kUsage, "--mode is required");
  pnn_model *in = NULL;
  int rc = cli_load_model(paths[0], &in);
  if (rc != CLI_EXIT_OK) return rc;
  pnn_tool_report rep = {0};
  uint8_t *bytes = NULL;
  size_t size = 0;
  char err[512] = "";
  pnn_status st = pnn_quantize(in, &o, &bytes, &size, &rep, err, sizeof err);
  if (st != PNN_OK)
    rc = cli_error("%s: %s", paths[0], err);
  else
    rc = cli_tool_output("quantize", paths[0], in, paths[1], bytes, size, &rep,
                         report);
  free(bytes);
  pnn_report_free(&rep);
  pnn_model_free(in);
  return rc;
}
