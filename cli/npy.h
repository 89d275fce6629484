/* NumPy .npy files (format versions 1.0, 2.0 and 3.0): little-endian, C
 * order, one array of a plain numeric or bool dtype.
 *
 * The reader trusts nothing in the file: the magic, the header length, the
 * header dictionary (a small Python literal), every dimension and the data
 * size are checked, with overflow-checked arithmetic, before any byte of
 * data is used. Errors come back as a message in the caller's buffer. */
#ifndef PNN_CLI_NPY_H
#define PNN_CLI_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "pocketnn.h"

/* Most dimensions an .npy array may have for pocketnn. */
#define NPY_MAX_RANK PNN_MAX_RANK

typedef struct npy_array {
  pnn_type type; /* element type (see npy_descr_type) */
  int rank;      /* 0 = scalar */
  int64_t dims[NPY_MAX_RANK];
  size_t count;  /* product of dims (1 for a scalar) */
  size_t nbytes; /* count * element size */
  void *data;    /* malloc'd, nbytes (may be NULL if 0) */
} npy_array;

/* Parses a whole .npy file held in memory; the data is copied into
 * out->data. Returns 0 on success, -1 with a message in err. */
int npy_parse(const uint8_t *bytes, size_t size, npy_array *out, char *err,
              size_t err_size);

/* Reads and parses a file; same contract as npy_parse. */
int npy_read_file(const char *path, npy_array *out, char *err, size_t err_size);

/* Frees out->data and clears the struct. Safe on a zeroed struct. */
void npy_free(npy_array *a);

/* Writes a version 1.0 file (2.0 if the header does not fit in 65535
 * bytes; it always does for rank <= 8). dims may be NULL when rank is 0.
 * Returns 0 or -1 with a message. */
int npy_write_file(const char *path, pnn_type type, const int64_t *dims,
                   int rank, const void *data, char *err, size_t err_size);

/* Encodes the header (magic .. trailing newline) into buf. Returns the
 * header length, or 0 if the type has no .npy dtype or buf is too small. */
size_t npy_encode_header(pnn_type type, const int64_t *dims, int rank,
                         uint8_t *buf, size_t buf_size);

/* "<f4" style descriptor for a type, or NULL if .npy cannot hold it. */
const char *npy_type_descr(pnn_type type);

/* Type of a descriptor such as "<f4", "|u1", "|b1"; returns -1 for an
 * unsupported or big-endian descriptor. */
int npy_descr_type(const char *descr, pnn_type *type);

#endif
