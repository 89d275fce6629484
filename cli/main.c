/* pocketnn: command-line front end. Dispatches to one subcommand per file
 * (inspect.c, run.c, classify.c, bench.c). Exit status: 0 success, 1 model
 * or input error (one stderr line starting "error:"), 2 bad usage. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char kUsage[] =
    "usage: pocketnn <command> [options]\n"
    "\n"
    "commands:\n"
    "  inspect MODEL [--json]            structure of a .tflite model\n"
    "  run MODEL [--input I=FILE.npy ...] [--fill zeros|random[:SEED]]\n"
    "      [--save-outputs DIR] [--threads N]   run once, print outputs\n"
    "  classify --model M --labels L.txt [--top K] [--mean M] [--std S]\n"
    "      [--threads N] IMAGE...        top-k labels for PNG/JPEG/BMP\n"
    "  bench MODEL [--threads N] [--warmup W] [--runs R] [--json]\n"
    "      [--profile]                   latency, memory, per-op profile\n"
    "  optimize IN OUT [--passes prune,fold,fuse] [--strip-names] [--report]\n"
    "                                    prune, fold and fuse a model\n"
    "  quantize IN OUT --mode fp16|dynamic|round-weights [--report]\n"
    "                                    smaller weights\n"
    "\n"
    "  pocketnn --version | --help | <command> --help\n"
    "exit status: 0 ok, 1 model or input error, 2 bad usage\n";

static const struct {
  const char *name;
  int (*fn)(int, char **);
} kCommands[] = {
    {"inspect", cli_inspect},
    {"run", cli_run},
    {"classify", cli_classify},
    {"bench", cli_bench},
    {"optimize", cli_optimize},
    {"quantize", cli_quantize},
};

int main(int argc, char **argv) {
  if (argc < 2) return cli_usage_error(kUsage, "missing command");
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
      strcmp(cmd, "help") == 0) {
    fputs(kUsage, stdout);
    return CLI_EXIT_OK;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    printf("pocketnn %s\n", pnn_version());
    return CLI_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof kCommands / sizeof kCommands[0]; i++)
    if (strcmp(cmd, kCommands[i].name) == 0)
      return kCommands[i].fn(argc - 1, argv + 1);
  return cli_usage_error(kUsage, "unknown command '%s'", cmd);
}
