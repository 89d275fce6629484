/* Writes the quantizer test models (tests/quant_models.c) into DIR as
 * NAME.tflite, for tests/scripts/test_quantize_int8.sh:
 *   quant_ops_gen DIR */
#include <stdio.h>

#include "../quant_models.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: quant_ops_gen DIR\n");
    return 2;
  }
  for (size_t i = 0; i < sizeof tq_models / sizeof tq_models[0]; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.tflite", argv[1], tq_models[i].name);
    pnn_mb *mb = tq_models[i].build();
    if (!mb || pnn_mb_write_file(mb, path) != PNN_OK) {
      fprintf(stderr, "error: %s: %s\n", path,
              mb ? pnn_mb_error(mb) : "out of memory");
      pnn_mb_free(mb);
      return 1;
    }
    pnn_mb_free(mb);
    printf("%s\n", path);
  }
  return 0;
}
