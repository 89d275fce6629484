/* NumPy .npy reader and writer; see npy.h. The format is documented in
 * numpy/lib/format.py: a 6-byte magic "\x93NUMPY", a version (major,
 * minor), a little-endian header length (2 bytes for 1.0, 4 bytes for
 * 2.0/3.0), an ASCII/UTF-8 Python dict literal with the keys 'descr',
 * 'fortran_order' and 'shape', padded with spaces and ended by '\n', then
 * the raw array bytes. */
#include "npy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

/* One row per dtype pocketnn can exchange through .npy. */
static const struct {
  pnn_type type;
  char kind; /* numpy kind character */
  int size;
} kDtypes[] = {
    {PNN_TYPE_FLOAT32, 'f', 4}, {PNN_TYPE_FLOAT16, 'f', 2},
    {PNN_TYPE_FLOAT64, 'f', 8}, {PNN_TYPE_INT8, 'i', 1},
    {PNN_TYPE_UINT8, 'u', 1},   {PNN_TYPE_INT16, 'i', 2},
    {PNN_TYPE_UINT16, 'u', 2},  {PNN_TYPE_INT32, 'i', 4},
    {PNN_TYPE_UINT32, 'u', 4},  {PNN_TYPE_INT64, 'i', 8},
    {PNN_TYPE_UINT64, 'u', 8},  {PNN_TYPE_BOOL, 'b', 1},
};
#define N_DTYPES (sizeof(kDtypes) / sizeof(kDtypes[0]))

static int fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t err_size, const char *fmt, ...) {
  if (err && err_size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
  }
  return -1;
}

const char *npy_type_descr(pnn_type type) {
  static const char *names[] = {"<f4", "<f2", "<f8", "|i1", "|u1", "<i2",
                                "<u2", "<i4", "<u4", "<i8", "<u8", "|b1"};
  for (size_t i = 0; i < N_DTYPES; i++)
    if (kDtypes[i].type == type) return names[i];
  return NULL;
}

static bool host_little_endian(void) {
  const uint16_t one = 1;
  return *(const uint8_t *)&one == 1;
}

int npy_descr_type(const char *descr, pnn_type *type) {
  if (!descr || !descr[0]) return -1;
  char order = descr[0];
  const char *p = descr;
  if (order == '<' || order == '>' || order == '|' || order == '=') p++;
  if (!p[0] || !p[1] || p[2]) return -1; /* exactly kind + one digit */
  int size = p[1] - '0';
  for (size_t i = 0; i < N_DTYPES; i++) {
    if (kDtypes[i].kind != p[0] || kDtypes[i].size != size) continue;
    /* Multi-byte data must be little-endian; '=' means native. */
    if (size > 1 && (order == '>' || order == '|')) return -1;
    if (size > 1 && order == '=' && !host_little_endian()) return -1;
    *type = kDtypes[i].type;
    return 0;
  }
  return -1;
}

/* ------------------------------------------------------- header parsing */

/* A cursor over the header text [p, end). */
typedef struct {
  const char *p, *end;
  char *err;
  size_t err_size;
} cursor;

static void skip_ws(cursor *c) {
  while (c->p < c->end &&
         (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

static bool accept(cursor *c, char ch) {
  skip_ws(c);
  if (c->p < c->end && *c->p == ch) {
    c->p++;
    return true;
  }
  return false;
}

/* A quoted string without escapes (dtype strings and keys never need
 * them); copied into out (at most out_size - 1 bytes). */
static int parse_string(cursor *c, char *out, size_t out_size) {
  skip_ws(c);
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
    return fail(c->err, c->err_size, "npy header: expected a quoted string");
  char quote = *c->p++;
  size_t n = 0;
  while (c->p < c->end && *c->p != quote) {
    if (*c->p == '\\' || n + 1 >= out_size)
      return fail(c->err, c->err_size,
                  "npy header: string too long or escaped");
    out[n++] = *c->p++;
  }
  if (c->p >= c->end)
    return fail(c->err, c->err_size, "npy header: unterminated string");
  c->p++;
  out[n] = 0;
  return 0;
}

static int parse_bool(cursor *c, bool *out) {
  skip_ws(c);
  size_t left = (size_t)(c->end - c->p);
  if (left >= 4 && memcmp(c->p, "True", 4) == 0) {
    c->p += 4;
    *out = true;
    return 0;
  }
  if (left >= 5 && memcmp(c->p, "False", 5) == 0) {
    c->p += 5;
    *out = false;
    return 0;
  }
  return fail(c->err, c->err_size,
              "npy header: fortran_order must be True or False");
}

/* A non-negative dimension, at most INT32_MAX (tensor dims are int32). */
static int parse_dim(cursor *c, int64_t *out) {
  skip_ws(c);
  int64_t v = 0;
  int digits = 0;
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
    v = v * 10 + (*c->p++ - '0');
    if (v > INT32_MAX)
      return fail(c->err, c->err_size, "npy header: dimension too large");
    digits++;
  }
  if (!digits)
    return fail(c->err, c->err_size,
                "npy header: shape entries must be non-negative integers");
  if (c->p < c->end && *c->p == 'L') c->p++; /* Python 2 long suffix */
  *out = v;
  return 0;
}

/* "(d0, d1, ...)": allows "()" and the one-element form "(n,)". */
static int parse_shape(cursor *c, npy_array *a) {
  if (!accept(c, '('))
    return fail(c->err, c->err_size, "npy header: shape must be a tuple");
  a->rank = 0;
  if (accept(c, ')')) return 0;
  for (;;) {
    if (a->rank >= NPY_MAX_RANK)
      return fail(c->err, c->err_size, "npy header: more than %d dimensions",
                  NPY_MAX_RANK);
    if (parse_dim(c, &a->dims[a->rank]) != 0) return -1;
    a->rank++;
    if (accept(c, ')')) return 0;
    if (!accept(c, ','))
      return fail(c->err, c->err_size, "npy header: malformed shape tuple");
    if (accept(c, ')')) return 0;
  }
}

/* Parses the dict literal; every key must appear exactly once. */
static int parse_dict(cursor *c, npy_array *a) {
  bool have_descr = false, have_order = false, have_shape = false;
  bool fortran = false;
  if (!accept(c, '{'))
    return fail(c->err, c->err_size, "npy header: expected '{'");
  while (!accept(c, '}')) {
    char key[32], descr[32];
    if (parse_string(c, key, sizeof key) != 0) return -1;
    if (!accept(c, ':'))
      return fail(c->err, c->err_size, "npy header: expected ':' after '%s'",
                  key);
    if (strcmp(key, "descr") == 0 && !have_descr) {
      skip_ws(c);
      if (c->p < c->end && *c->p == '[')
        return fail(c->err, c->err_size,
                    "npy: structured dtypes are not supported");
      if (parse_string(c, descr, sizeof descr) != 0) return -1;
      if (npy_descr_type(descr, &a->type) != 0)
        return fail(c->err, c->err_size,
                    "npy: unsupported dtype '%s' (want little-endian "
                    "f2/f4/f8, i1..i8, u1..u8 or b1)",
                    descr);
      have_descr = true;
    } else if (strcmp(key, "fortran_order") == 0 && !have_order) {
      if (parse_bool(c, &fortran) != 0) return -1;
      have_order = true;
    } else if (strcmp(key, "shape") == 0 && !have_shape) {
      if (parse_shape(c, a) != 0) return -1;
      have_shape = true;
    } else {
      return fail(c->err, c->err_size,
                  "npy header: unexpected or repeated key '%s'", key);
    }
    if (accept(c, '}')) break;
    if (!accept(c, ','))
      return fail(c->err, c->err_size, "npy header: expected ',' or '}'");
  }
  skip_ws(c);
  if (c->p != c->end)
    return fail(c->err, c->err_size, "npy header: junk after the dict");
  if (!have_descr || !have_order || !have_shape)
    return fail(c->err, c->err_size, "npy header: missing key '%s'",
                !have_descr   ? "descr"
                : !have_order ? "fortran_order"
                              : "shape");
  if (fortran)
    return fail(c->err, c->err_size,
                "npy: Fortran-order arrays are not supported (save with "
                "np.ascontiguousarray)");
  return 0;
}

/* count and nbytes from the shape, overflow-checked. */
static int array_size(npy_array *a, char *err, size_t err_size) {
  size_t count = 1;
  for (int i = 0; i < a->rank; i++) {
    size_t d = (size_t)a->dims[i];
    if (d && count > SIZE_MAX / d)
      return fail(err, err_size, "npy: element count overflows");
    count *= d;
  }
  size_t elem = 0; /* own table: keeps this file free of library calls */
  for (size_t i = 0; i < N_DTYPES; i++)
    if (kDtypes[i].type == a->type) elem = (size_t)kDtypes[i].size;
  if (count && elem > SIZE_MAX / count)
    return fail(err, err_size, "npy: byte size overflows");
  a->count = count;
  a->nbytes = count * elem;
  return 0;
}

static uint32_t read_le(const uint8_t *p, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

int npy_parse(const uint8_t *bytes, size_t size, npy_array *out, char *err,
              size_t err_size) {
  memset(out, 0, sizeof *out);
  if (!bytes || size < 10 || memcmp(bytes, kMagic, 6) != 0)
    return fail(err, err_size, "npy: not a .npy file (bad magic)");
  int major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0)
    return fail(err, err_size, "npy: unsupported format version %d.%d", major,
                minor);
  int len_bytes = major == 1 ? 2 : 4;
  size_t prefix = 8 + (size_t)len_bytes;
  if (size < prefix) return fail(err, err_size, "npy: truncated header");
  uint32_t hlen = read_le(bytes + 8, len_bytes);
  if (hlen > size - prefix)
    return fail(err, err_size,
                "npy: header length %u exceeds the file (%zu bytes)", hlen,
                size);
  const char *h = (const char *)bytes + prefix;
  /* The header ends with '\n'; numpy pads it with spaces before that. */
  if (hlen == 0 || h[hlen - 1] != '\n')
    return fail(err, err_size, "npy header: not terminated by a newline");
  cursor c = {h, h + hlen, err, err_size};
  if (parse_dict(&c, out) != 0) return -1;
  if (array_size(out, err, err_size) != 0) return -1;
  size_t data_off = prefix + hlen;
  if (size - data_off != out->nbytes)
    return fail(err, err_size,
                "npy: data is %zu bytes but the header says %zu (shape x "
                "dtype)",
                size - data_off, out->nbytes);
  if (out->nbytes) {
    out->data = malloc(out->nbytes);
    if (!out->data) return fail(err, err_size, "npy: out of memory");
    memcpy(out->data, bytes + data_off, out->nbytes);
  }
  return 0;
}

int npy_read_file(const char *path, npy_array *out, char *err,
                  size_t err_size) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f) return fail(err, err_size, "%s: %s", path, strerror(errno));
  uint8_t *buf = NULL;
  size_t size = 0, cap = 0;
  int rc = 0;
  for (;;) {
    if (size == cap) {
      size_t ncap = cap ? cap * 2 : 65536;
      uint8_t *nb = ncap > cap ? realloc(buf, ncap) : NULL;
      if (!nb) {
        rc = fail(err, err_size, "%s: out of memory", path);
        break;
      }
      buf = nb;
      cap = ncap;
    }
    size_t n = fread(buf + size, 1, cap - size, f);
    size += n;
    if (n == 0) {
      if (ferror(f)) rc = fail(err, err_size, "%s: read error", path);
      break;
    }
  }
  fclose(f);
  if (rc == 0) {
    char inner[256];
    rc = npy_parse(buf, size, out, inner, sizeof inner);
    if (rc != 0) fail(err, err_size, "%s: %s", path, inner);
  }
  free(buf);
  return rc;
}

void npy_free(npy_array *a) {
  if (!a) return;
  free(a->data);
  memset(a, 0, sizeof *a);
}

/* ----------------------------------------------------------------- write */

size_t npy_encode_header(pnn_type type, const int64_t *dims, int rank,
                         uint8_t *buf, size_t buf_size) {
  const char *descr = npy_type_descr(type);
  if (!descr || rank < 0 || rank > NPY_MAX_RANK) return 0;
  char dict[512];
  int n = snprintf(dict, sizeof dict,
                   "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
  for (int i = 0; i < rank; i++) {
    if (dims[i] < 0) return 0;
    n += snprintf(dict + n, sizeof dict - (size_t)n, "%s%lld", i ? ", " : "",
                  (long long)dims[i]);
  }
  n += snprintf(dict + n, sizeof dict - (size_t)n, "%s), }",
                rank == 1 ? "," : "");
  if (n <= 0 || (size_t)n >= sizeof dict) return 0;
  /* Pad with spaces so that magic + version + length + dict + '\n' is a
   * multiple of 64, as numpy does (aligned data for memory mapping). */
  size_t total = 10 + (size_t)n + 1;
  total = (total + 63) / 64 * 64;
  if (total > buf_size) return 0;
  memcpy(buf, kMagic, 6);
  buf[6] = 1;
  buf[7] = 0;
  size_t hlen = total - 10;
  buf[8] = (uint8_t)(hlen & 0xff);
  buf[9] = (uint8_t)(hlen >> 8);
  memcpy(buf + 10, dict, (size_t)n);
  memset(buf + 10 + n, ' ', total - 10 - (size_t)n - 1);
  buf[total - 1] = '\n';
  return total;
}

int npy_write_file(const char *path, pnn_type type, const int64_t *dims,
                   int rank, const void *data, char *err, size_t err_size) {
  uint8_t header[640];
  size_t hlen = npy_encode_header(type, dims, rank, header, sizeof header);
  if (!hlen)
    return fail(err, err_size, "%s: type %d cannot be stored in .npy", path,
                (int)type);
  npy_array shape = {.type = type, .rank = rank};
  for (int i = 0; i < rank; i++) shape.dims[i] = dims[i];
  if (array_size(&shape, err, err_size) != 0) return -1;
  FILE *f = fopen(path, "wb");
  if (!f) return fail(err, err_size, "%s: %s", path, strerror(errno));
  bool ok = fwrite(header, 1, hlen, f) == hlen;
  if (ok && shape.nbytes)
    ok = data && fwrite(data, 1, shape.nbytes, f) == shape.nbytes;
  if (fclose(f) != 0) ok = false;
  if (!ok) return fail(err, err_size, "%s: write failed", path);
  return 0;
}
