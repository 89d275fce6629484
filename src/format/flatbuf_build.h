/* A small FlatBuffer builder (write side of the format).
 *
 * Like every FlatBuffer builder it writes back to front: children (strings,
 * vectors, sub-tables) are created first and referred to by the offset
 * returned when they were made; a table is opened, its fields added, and
 * closed. Offsets returned here ("pnn_fb_ref") count bytes from the END of
 * the buffer, so they stay valid while the buffer grows.
 *
 *   pnn_fbb b; pnn_fbb_init(&b);
 *   pnn_fb_ref name = pnn_fbb_string(&b, "x", 1);
 *   pnn_fbb_start_table(&b);
 *   pnn_fbb_add_ref(&b, 3, name);        // slot 3
 *   pnn_fbb_add_i32(&b, 1, 7, 0);        // slot 1, written since 7 != 0
 *   pnn_fb_ref root = pnn_fbb_end_table(&b);
 *   pnn_fbb_finish(&b, root, "TFL3");    // then pnn_fbb_data / _size
 *
 * Nothing aborts: an out-of-memory, a 2 GB overflow or a misuse (nested
 * tables, too many slots) sets a sticky error; every later call is a no-op
 * and pnn_fbb_finish reports it. Output is little-endian (the library
 * requires a little-endian host). */
#ifndef PNN_FORMAT_FLATBUF_BUILD_H
#define PNN_FORMAT_FLATBUF_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pocketnn.h"

typedef uint32_t pnn_fb_ref; /* offset from the buffer end; 0 = none */

/* Most fields a table may have (slot numbers 0..PNN_FBB_MAX_SLOTS-1). */
#define PNN_FBB_MAX_SLOTS 64
/* FlatBuffers use 32-bit signed offsets: a buffer stays below 2 GB. */
#define PNN_FBB_MAX_SIZE ((size_t)0x7fffffff)

typedef struct pnn_fbb {
  uint8_t *buf; /* data lives in buf[cap - size, cap) */
  size_t cap, size;
  size_t minalign;   /* largest alignment requested so far */
  size_t limit;      /* largest buffer allowed (PNN_FBB_MAX_SIZE) */
  pnn_status status; /* sticky: first failure */
  char err[96];
  /* the open table */
  bool in_table;
  size_t table_start; /* size when the table was opened */
  int n_fields, max_slot;
  uint16_t field_slot[PNN_FBB_MAX_SLOTS];
  uint32_t field_off[PNN_FBB_MAX_SLOTS];
  /* vtable dedupe: open-addressing set of vtable positions */
  uint32_t *vt_set;
  size_t vt_cap, vt_count;
} pnn_fbb;

void pnn_fbb_init(pnn_fbb *b);
/* Lowers the size limit (tests of the >2 GB paths on small models);
 * 0 or anything above PNN_FBB_MAX_SIZE means PNN_FBB_MAX_SIZE. */
void pnn_fbb_set_limit(pnn_fbb *b, size_t limit);
void pnn_fbb_free(pnn_fbb *b);
bool pnn_fbb_ok(const pnn_fbb *b);

/* Strings: `len` bytes (no NUL needed), stored NUL-terminated. */
pnn_fb_ref pnn_fbb_string(pnn_fbb *b, const char *s, size_t len);
pnn_fb_ref pnn_fbb_cstring(pnn_fbb *b, const char *s);

/* A vector of `count` scalars of `elem_size` bytes (1, 2, 4 or 8, host
 * little-endian) whose first element is aligned to `align` (>= elem_size,
 * a power of two <= 16; e.g. 16 for buffer data). */
pnn_fb_ref pnn_fbb_vector(pnn_fbb *b, const void *data, size_t elem_size,
                          size_t count, size_t align);
/* A vector of offsets to tables or strings made earlier. */
pnn_fb_ref pnn_fbb_vector_refs(pnn_fbb *b, const pnn_fb_ref *refs,
                               size_t count);

/* Tables. Scalar adders skip the field when value == default, as
 * FlatBuffers does; pass a default that can never match to force it. */
void pnn_fbb_start_table(pnn_fbb *b);
void pnn_fbb_add_u8(pnn_fbb *b, int slot, uint8_t v, uint8_t dflt);
void pnn_fbb_add_i8(pnn_fbb *b, int slot, int8_t v, int8_t dflt);
void pnn_fbb_add_bool(pnn_fbb *b, int slot, bool v, bool dflt);
void pnn_fbb_add_u16(pnn_fbb *b, int slot, uint16_t v, uint16_t dflt);
void pnn_fbb_add_i32(pnn_fbb *b, int slot, int32_t v, int32_t dflt);
void pnn_fbb_add_u32(pnn_fbb *b, int slot, uint32_t v, uint32_t dflt);
void pnn_fbb_add_i64(pnn_fbb *b, int slot, int64_t v, int64_t dflt);
void pnn_fbb_add_u64(pnn_fbb *b, int slot, uint64_t v, uint64_t dflt);
/* Floats compare bit patterns, so -0.0 and NaN survive. */
void pnn_fbb_add_f32(pnn_fbb *b, int slot, float v, float dflt);
/* An offset field; ref 0 means absent and is skipped. */
void pnn_fbb_add_ref(pnn_fbb *b, int slot, pnn_fb_ref ref);
pnn_fb_ref pnn_fbb_end_table(pnn_fbb *b);

/* Writes the file identifier (4 chars, or NULL) and the root offset.
 * Returns the builder's status (and message in pnn_fbb_error). */
pnn_status pnn_fbb_finish(pnn_fbb *b, pnn_fb_ref root, const char *ident);
const char *pnn_fbb_error(const pnn_fbb *b);

/* The finished bytes (valid until the builder is freed). */
const uint8_t *pnn_fbb_data(const pnn_fbb *b);
size_t pnn_fbb_size(const pnn_fbb *b);
/* Hands the finished bytes over without a copy: a malloc'ed block the
 * caller frees; the builder is reset. NULL if there is nothing to give. */
uint8_t *pnn_fbb_release(pnn_fbb *b, size_t *size);

#endif
