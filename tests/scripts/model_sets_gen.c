/* Writes one of the C-built test model sets into DIR as NAME.tflite:
 *   model_sets_gen quant DIR   the full-integer quantizer models
 *                              (tests/quant_models.c, for
 *                              tests/scripts/test_quantize_int8.sh)
 *   model_sets_gen tools DIR   the model-tool models (tests/tools_models.c,
 *                              for test_tools_cli.sh / test_tools_litert.sh)
 */
#include <stdio.h>
#include <string.h>

#include "../quant_models.h"
#include "../tools_models.h"

typedef pnn_mb *(*build_fn)(void);

static int write_model(const char *dir, const char *name, build_fn build) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.tflite", dir, name);
  pnn_mb *mb = build();
  if (!mb || pnn_mb_write_file(mb, path) != PNN_OK) {
    fprintf(stderr, "error: %s: %s\n", path,
            mb ? pnn_mb_error(mb) : "out of memory");
    pnn_mb_free(mb);
    return 1;
  }
  pnn_mb_free(mb);
  printf("%s\n", path);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3 || (strcmp(argv[1], "quant") && strcmp(argv[1], "tools"))) {
    fprintf(stderr, "usage: model_sets_gen quant|tools DIR\n");
    return 2;
  }
  const char *dir = argv[2];
  if (!strcmp(argv[1], "quant")) {
    for (size_t i = 0; i < sizeof tq_models / sizeof tq_models[0]; i++)
      if (write_model(dir, tq_models[i].name, tq_models[i].build)) return 1;
  } else {
    for (size_t i = 0; i < sizeof tm_models / sizeof tm_models[0]; i++)
      if (write_model(dir, tm_models[i].name, tm_models[i].build)) return 1;
  }
  return 0;
}
