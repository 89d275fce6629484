/* Image loading for `pocketnn classify`: PNG (libpng), JPEG (libjpeg) and
 * BMP (own bounds-checked decoder), decoded to 8-bit gray or RGB, plus
 * bilinear resizing into a float HxWxC buffer. */
#ifndef PNN_CLI_IMAGE_H
#define PNN_CLI_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* Largest image accepted, in pixels (guards every size computation). */
#define IMAGE_MAX_PIXELS (1u << 26)

typedef struct cli_image {
  int width, height;
  int channels;    /* 1 (gray) or 3 (RGB) */
  uint8_t *pixels; /* malloc'd, row-major, height * width * channels */
} cli_image;

/* Decodes a file; the format is chosen from its first bytes. Returns 0, or
 * -1 with a message (naming the file) in err. */
int image_load(const char *path, cli_image *out, char *err, size_t err_size);

/* Decodes a BMP held in memory (uncompressed 8-bit paletted, 24-bit, or
 * 32-bit; bottom-up or top-down). */
int image_decode_bmp(const uint8_t *data, size_t size, cli_image *out,
                     char *err, size_t err_size);

void image_free(cli_image *img);

/* Bilinear resize (half-pixel centers) of `img` to w x h with `channels`
 * output channels (1: luma of RGB; 3: gray replicated), writing floats in
 * [0, 255] to out (h * w * channels). */
void image_resize_bilinear(const cli_image *img, int w, int h, int channels,
                           float *out);

#endif
