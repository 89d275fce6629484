/* libFuzzer target for the `pocketnn inspect` printing path: the input is
 * written to a file and cli_inspect (cli/inspect.c, linked in) prints it as
 * text and as JSON to /dev/null. A model that fails to load must produce
 * the CLI's error path, never a crash. Files are capped at 1 MiB through
 * the CLI's --max-file option and arenas at 16 MiB with --max-arena.
 * Built and run by `make fuzz` (tests/fuzz/run.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char g_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  snprintf(g_path, sizeof g_path, "/tmp/pnn-fuzz-inspect-%ld.tflite",
           (long)getpid());
  /* The report goes to /dev/null; libFuzzer itself prints on stderr. */
  if (!freopen("/dev/null", "w", stdout)) return 1;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *f = fopen(g_path, "wb");
  if (!f) return 0;
  size_t w = fwrite(data, 1, size, f);
  fclose(f);
  if (w != size) return 0;
  char a0[] = "inspect", a2[] = "--max-file=1048576",
       a3[] = "--max-arena=16777216", a4[] = "--json";
  char *argv_text[] = {a0, g_path, a2, a3, NULL};
  char *argv_json[] = {a0, g_path, a2, a3, a4, NULL};
  /* cli_error prints one "error:" line per failing input; run with
   * -close_fd_mask=2 to silence it (sanitizer reports still get out). */
  cli_inspect(4, argv_text);
  cli_inspect(5, argv_json);
  return 0;
}
