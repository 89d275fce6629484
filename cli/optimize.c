/* `pocketnn optimize IN OUT`: graph passes (prune, fold, fuse, strip
 * names) over a model; see src/tools/optimize.c and docs/tools.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format/model.h"
#include "tool_out.h"

static const char kUsage[] =
    "usage: pocketnn optimize IN.tflite OUT.tflite [--passes LIST]\n"
    "           [--no-prune] [--no-fold] [--no-fuse] [--keep-fp16]\n"
    "           [--strip-names] [--strip-io-names] [--report]\n"
    "  --passes LIST     comma-separated subset of prune,fold,fuse\n"
    "                    (default: all three)\n"
    "  --no-PASS         turns one pass off\n"
    "  --keep-fp16       fold: keep DEQUANTIZE of float16 constants (small\n"
    "                    file) instead of storing them as float32\n"
    "  --strip-names     tensor names become t<N>; metadata and the\n"
    "                    description are dropped (signatures and the names\n"
    "                    of subgraph inputs/outputs stay)\n"
    "  --strip-io-names  --strip-names, input/output tensors included\n"
    "  --report          sizes, op counts by type, what each pass did\n"
    "OUT is written through a temporary file: nothing is left on failure.\n";

static int pass_bit(const char *name, size_t len, uint32_t *bit) {
  static const struct {
    const char *name;
    uint32_t bit;
  } kPasses[] = {{"prune", PNN_PASS_PRUNE},
                 {"fold", PNN_PASS_FOLD},
                 {"fuse", PNN_PASS_FUSE}};
  for (size_t i = 0; i < sizeof kPasses / sizeof kPasses[0]; i++)
    if (strlen(kPasses[i].name) == len &&
        !strncmp(kPasses[i].name, name, len)) {
      *bit = kPasses[i].bit;
      return 0;
    }
  return -1;
}

static int parse_passes(const char *v, uint32_t *passes) {
  *passes = 0;
  while (*v) {
    const char *comma = strchr(v, ',');
    size_t len = comma ? (size_t)(comma - v) : strlen(v);
    uint32_t bit;
    if (pass_bit(v, len, &bit)) return -1;
    *passes |= bit;
    v += len + (comma ? 1 : 0);
  }
  return 0;
}

int cli_tool_output(const char *cmd, const char *in_path, const pnn_model *in,
                    const char *out_path, const uint8_t *bytes, size_t size,
                    const pnn_tool_report *report, bool full_report) {
  char err[512] = "";
  if (pnn_tool_write_file(out_path, bytes, size, err, sizeof err) != PNN_OK)
    return cli_error("%s", err);
  pnn_model *out = NULL;
  if (pnn_model_load_buffer(bytes, size, NULL, &out, err, sizeof err) != PNN_OK)
    return cli_error("%s: %s", out_path, err);
  const pnn_model_def *a = &in->def, *b = &out->def;
  int ops_a = a->n_subgraphs ? a->subgraphs[0].n_ops : 0;
  int ops_b = b->n_subgraphs ? b->subgraphs[0].n_ops : 0;
  printf("%s: %s (%zu bytes, %d ops) -> %s (%zu bytes, %d ops)\n", cmd, in_path,
         in->size, ops_a, out_path, size, ops_b);
  if (full_report) {
    pnn_tool_report counts = {0};
    pnn_report_op_counts(&counts, "before", a);
    pnn_report_op_counts(&counts, "after", b);
    if (counts.text) fputs(counts.text, stdout);
    pnn_report_free(&counts);
    printf("size: %zu -> %zu bytes (%.1f%%)\n", in->size, size,
           in->size ? 100.0 * (double)size / (double)in->size : 0.0);
    if (report->text) fputs(report->text, stdout);
  }
  pnn_model_free(out);
  return CLI_EXIT_OK;
}

int cli_optimize(int argc, char **argv) {
  pnn_optimize_options o;
  pnn_optimize_options_init(&o);
  const char *paths[2] = {NULL, NULL};
  bool report = false;
  uint32_t off = 0;
  for (int i = 1; i < argc; i++) {
    const char *v;
    int m;
    uint32_t bit;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(kUsage, stdout);
      return CLI_EXIT_OK;
    } else if ((m = cli_opt_value(argc, argv, &i, "--passes", &v)) != 0) {
      if (m < 0 || parse_passes(v, &o.passes))
        return cli_usage_error(kUsage,
                               "--passes needs a list of "
                               "prune,fold,fuse");
    } else if (!strncmp(argv[i], "--no-", 5) &&
               !pass_bit(argv[i] + 5, strlen(argv[i] + 5), &bit)) {
      off |= bit;
    } else if (!strcmp(argv[i], "--keep-fp16")) {
      o.keep_fp16 = true;
    } else if (!strcmp(argv[i], "--strip-names")) {
      o.strip_names = true;
    } else if (!strcmp(argv[i], "--strip-io-names")) {
      o.strip_names = o.strip_io_names = true;
    } else if (!strcmp(argv[i], "--report")) {
      report = true;
    } else if ((m = cli_in_out_arg(argv[i], kUsage, paths)) != CLI_EXIT_OK) {
      return m;
    }
  }
  if (!paths[1]) return cli_usage_error(kUsage, "needs IN and OUT");
  o.passes &= ~off;
  pnn_model *in = NULL;
  int rc = cli_load_model(paths[0], &in);
  if (rc != CLI_EXIT_OK) return rc;
  pnn_tool_report rep = {0};
  uint8_t *bytes = NULL;
  size_t size = 0;
  char err[512] = "";
  pnn_status st = pnn_optimize(in, &o, &bytes, &size, &rep, err, sizeof err);
  if (st != PNN_OK)
    rc = cli_error("%s: %s", paths[0], err);
  else
    rc = cli_tool_output("optimize", paths[0], in, paths[1], bytes, size, &rep,
                         report);
  free(bytes);
  pnn_report_free(&rep);
  pnn_model_free(in);
  return rc;
}
