/* Image decoding and resizing for `pocketnn classify`; see image.h. */
#include "image.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PNN_NO_IMAGE_LIBS (set for cross builds without the target's libpng /
 * libjpeg, e.g. make aarch64): BMP only, PNG and JPEG are reported as not
 * built in. */
#ifndef PNN_NO_IMAGE_LIBS
#include <jpeglib.h>
#include <png.h>
#endif

static int fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t err_size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, err_size, fmt, ap);
  va_end(ap);
  return -1;
}

void image_free(cli_image *img) {
  if (!img) return;
  free(img->pixels);
  memset(img, 0, sizeof *img);
}

/* Allocates pixels for w x h x c after checking the size. */
static int image_alloc(cli_image *img, long w, long h, int c, char *err,
                       size_t err_size) {
  if (w <= 0 || h <= 0 || (unsigned long)w > IMAGE_MAX_PIXELS ||
      (unsigned long)h > IMAGE_MAX_PIXELS ||
      (unsigned long)w * (unsigned long)h > IMAGE_MAX_PIXELS)
    return fail(err, err_size, "image size %ldx%ld is empty or too large", w,
                h);
  img->width = (int)w;
  img->height = (int)h;
  img->channels = c;
  img->pixels = malloc((size_t)w * (size_t)h * (size_t)c);
  if (!img->pixels) return fail(err, err_size, "out of memory");
  return 0;
}

/* --------------------------------------------------------------- PNG */
#ifndef PNN_NO_IMAGE_LIBS

static int decode_png(const uint8_t *data, size_t size, cli_image *out,
                      char *err, size_t err_size) {
  png_image png;
  memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, data, size))
    return fail(err, err_size, "PNG: %s", png.message);
  /* Gray stays gray; anything with color becomes RGB. Alpha is composed
   * onto black by libpng when the output format has none. */
  bool color = (png.format & PNG_FORMAT_FLAG_COLOR) != 0;
  png.format = color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  if (image_alloc(out, (long)png.width, (long)png.height, color ? 3 : 1, err,
                  err_size) != 0) {
    png_image_free(&png);
    return -1;
  }
  if (!png_image_finish_read(&png, NULL, out->pixels, 0, NULL)) {
    fail(err, err_size, "PNG: %s", png.message);
    png_image_free(&png);
    image_free(out);
    return -1;
  }
  return 0;
}

/* -------------------------------------------------------------- JPEG */

/* libjpeg reports errors through error_exit, which must not return; we
 * jump back to the decoder instead of letting it exit the process. */
typedef struct {
  struct jpeg_error_mgr mgr;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
} jpeg_error;

static void jpeg_error_exit(j_common_ptr cinfo) {
  jpeg_error *e = (jpeg_error *)cinfo->err;
  (*cinfo->err->format_message)(cinfo, e->message);
  longjmp(e->jump, 1);
}

static void jpeg_quiet(j_common_ptr cinfo) {
  (void)cinfo;
}

static int decode_jpeg(const uint8_t *data, size_t size, cli_image *out,
                       char *err, size_t err_size) {
  struct jpeg_decompress_struct cinfo;
  jpeg_error jerr;
  /* volatile: modified between setjmp and longjmp. */
  uint8_t *volatile pixels = NULL;
  memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error(&jerr.mgr);
  jerr.mgr.error_exit = jpeg_error_exit;
  jerr.mgr.output_message = jpeg_quiet;
  if (setjmp(jerr.jump)) {
    jpeg_destroy_decompress(&cinfo);
    free(pixels);
    memset(out, 0, sizeof *out);
    return fail(err, err_size, "JPEG: %s", jerr.message);
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, (unsigned long)size);
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.jpeg_color_space == JCS_CMYK ||
      cinfo.jpeg_color_space == JCS_YCCK) {
    jpeg_destroy_decompress(&cinfo);
    return fail(err, err_size, "JPEG: CMYK images are not supported");
  }
  int c = cinfo.num_components == 1 ? 1 : 3;
  cinfo.out_color_space = c == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  if ((int)cinfo.output_components != c) {
    jpeg_destroy_decompress(&cinfo);
    return fail(err, err_size, "JPEG: unexpected component count %d",
                (int)cinfo.output_components);
  }
  if (image_alloc(out, (long)cinfo.output_width, (long)cinfo.output_height, c,
                  err, err_size) != 0) {
    jpeg_destroy_decompress(&cinfo);
    return -1;
  }
  pixels = out->pixels;
  size_t stride = (size_t)out->width * (size_t)c;
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = pixels + (size_t)cinfo.output_scanline * stride;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return 0;
}
#else
static int decode_png(const uint8_t *data, size_t size, cli_image *out,
                      char *err, size_t err_size) {
  (void)data, (void)size, (void)out;
  return fail(err, err_size, "PNG support not built in (PNN_NO_IMAGE_LIBS)");
}
static int decode_jpeg(const uint8_t *data, size_t size, cli_image *out,
                       char *err, size_t err_size) {
  (void)data, (void)size, (void)out;
  return fail(err, err_size, "JPEG support not built in (PNN_NO_IMAGE_LIBS)");
}
#endif

/* --------------------------------------------------------------- BMP */

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
static uint16_t le16(const uint8_t *p) {
  return (uint16_t)(p[0] | p[1] << 8);
}

int image_decode_bmp(const uint8_t *data, size_t size, cli_image *out,
                     char *err, size_t err_size) {
  memset(out, 0, sizeof *out);
  /* 14-byte file header + at least the 40-byte BITMAPINFOHEADER. */
  if (size < 54 || data[0] != 'B' || data[1] != 'M')
    return fail(err, err_size, "BMP: truncated or not a BMP file");
  uint32_t pixel_off = le32(data + 10);
  uint32_t dib = le32(data + 14);
  if (dib < 40 || dib > size - 14)
    return fail(err, err_size, "BMP: unsupported header size %u", dib);
  int32_t w = (int32_t)le32(data + 18), h = (int32_t)le32(data + 22);
  uint16_t planes = le16(data + 26), bpp = le16(data + 28);
  uint32_t compression = le32(data + 30), n_colors = le32(data + 46);
  if (planes != 1)
    return fail(err, err_size, "BMP: %u planes", (unsigned)planes);
  /* BI_RGB, or BI_BITFIELDS for 32-bit with the usual BGRA masks. */
  if (!(compression == 0 || (compression == 3 && bpp == 32)))
    return fail(err, err_size, "BMP: compression %u is not supported",
                compression);
  if (bpp != 8 && bpp != 24 && bpp != 32)
    return fail(err, err_size, "BMP: %u bits per pixel is not supported",
                (unsigned)bpp);
  bool top_down = h < 0;
  if (h == INT32_MIN) return fail(err, err_size, "BMP: bad height");
  long height = top_down ? -(long)h : (long)h;
  if (w <= 0 || height <= 0 || (unsigned long)w > IMAGE_MAX_PIXELS ||
      (unsigned long)height > IMAGE_MAX_PIXELS ||
      (unsigned long)w * (unsigned long)height > IMAGE_MAX_PIXELS)
    return fail(err, err_size, "BMP: size %dx%ld is empty or too large", (int)w,
                height);
  /* Rows are padded to 4 bytes. */
  uint64_t stride = ((uint64_t)w * bpp + 31) / 32 * 4;
  if (pixel_off > size || stride * (uint64_t)height > size - pixel_off)
    return fail(err, err_size, "BMP: pixel data runs past the end of file");
  const uint8_t *palette = data + 14 + dib;
  if (bpp == 8) {
    if (n_colors == 0) n_colors = 256;
    if (n_colors > 256 || (uint64_t)14 + dib + 4ull * n_colors > pixel_off)
      return fail(err, err_size, "BMP: bad palette");
  }
  if (image_alloc(out, w, height, 3, err, err_size) != 0) return -1;
  for (long y = 0; y < height; y++) {
    long src_y = top_down ? y : height - 1 - y;
    const uint8_t *row = data + pixel_off + (size_t)stride * (size_t)src_y;
    uint8_t *dst = out->pixels + (size_t)y * (size_t)w * 3;
    for (int32_t x = 0; x < w; x++) {
      const uint8_t *bgr;
      if (bpp == 8) {
        uint8_t idx = row[x];
        if (idx >= n_colors) {
          image_free(out);
          return fail(err, err_size, "BMP: palette index %u out of range",
                      (unsigned)idx);
        }
        bgr = palette + 4 * idx;
      } else {
        bgr = row + (size_t)x * (bpp / 8);
      }
      dst[3 * x + 0] = bgr[2];
      dst[3 * x + 1] = bgr[1];
      dst[3 * x + 2] = bgr[0];
    }
  }
  return 0;
}

/* -------------------------------------------------------------- load */

static int read_file(const char *path, uint8_t **data, size_t *size, char *err,
                     size_t err_size) {
  FILE *f = fopen(path, "rb");
  if (!f) return fail(err, err_size, "%s", strerror(errno));
  uint8_t *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n == cap) {
      /* Compressed images above 256 MB are surely not for a classifier. */
      if (cap >= (256u << 20)) {
        free(buf);
        fclose(f);
        return fail(err, err_size, "file too large");
      }
      cap = cap ? cap * 2 : 65536;
      uint8_t *nb = realloc(buf, cap);
      if (!nb) {
        free(buf);
        fclose(f);
        return fail(err, err_size, "out of memory");
      }
      buf = nb;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  bool bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    return fail(err, err_size, "read error");
  }
  *data = buf;
  *size = n;
  return 0;
}

int image_load(const char *path, cli_image *out, char *err, size_t err_size) {
  memset(out, 0, sizeof *out);
  uint8_t *data = NULL;
  size_t size = 0;
  char inner[256] = "";
  int rc = read_file(path, &data, &size, inner, sizeof inner);
  if (rc == 0) {
    if (size >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0)
      rc = decode_png(data, size, out, inner, sizeof inner);
    else if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
      rc = decode_jpeg(data, size, out, inner, sizeof inner);
    else if (size >= 2 && data[0] == 'B' && data[1] == 'M')
      rc = image_decode_bmp(data, size, out, inner, sizeof inner);
    else
      rc = fail(inner, sizeof inner, "not a PNG, JPEG or BMP image");
  }
  free(data);
  if (rc != 0) fail(err, err_size, "%s: %s", path, inner);
  return rc;
}

/* ------------------------------------------------------------ resize */

/* Channel c of the source pixel (x, y) as seen with `channels` outputs. */
static float sample(const cli_image *img, int x, int y, int c, int channels) {
  const uint8_t *p =
      img->pixels +
      ((size_t)y * (size_t)img->width + (size_t)x) * (size_t)img->channels;
  if (img->channels == channels) return p[c];
  if (img->channels == 1) return p[0]; /* gray -> RGB */
  /* RGB -> gray: ITU-R BT.601 luma. */
  return 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
}

void image_resize_bilinear(const cli_image *img, int w, int h, int channels,
                           float *out) {
  float sx = (float)img->width / (float)w, sy = (float)img->height / (float)h;
  for (int y = 0; y < h; y++) {
    /* Half-pixel centers, clamped to the image (as tf.image.resize). */
    float fy = ((float)y + 0.5f) * sy - 0.5f;
    if (fy < 0) fy = 0;
    int y0 = (int)fy;
    if (y0 > img->height - 1) y0 = img->height - 1;
    int y1 = y0 + 1 < img->height ? y0 + 1 : y0;
    float wy = fy - (float)y0;
    for (int x = 0; x < w; x++) {
      float fx = ((float)x + 0.5f) * sx - 0.5f;
      if (fx < 0) fx = 0;
      int x0 = (int)fx;
      if (x0 > img->width - 1) x0 = img->width - 1;
      int x1 = x0 + 1 < img->width ? x0 + 1 : x0;
      float wx = fx - (float)x0;
      for (int c = 0; c < channels; c++) {
        float top = sample(img, x0, y0, c, channels) * (1 - wx) +
                    sample(img, x1, y0, c, channels) * wx;
        float bot = sample(img, x0, y1, c, channels) * (1 - wx) +
                    sample(img, x1, y1, c, channels) * wx;
        out[((size_t)y * (size_t)w + (size_t)x) * (size_t)channels +
            (size_t)c] = top * (1 - wy) + bot * wy;
      }
    }
  }
}
