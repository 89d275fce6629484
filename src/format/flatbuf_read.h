/* Bounds-checked FlatBuffer reading over (bytes, size).
 *
 * Every function checks what it touches against the buffer and returns a
 * status; on failure fb->reason says what was wrong, with the byte offset.
 * Positions are byte offsets from the start of the buffer (never raw
 * pointers), so nothing here can form an out-of-range pointer.
 *
 * Alignment policy (FlatBuffers spec vs. what converters write):
 *   - enforced: tables (their soffset) and every uoffset field, vector and
 *     string length prefix at 4 bytes, vtables at 2 bytes. Every real
 *     writer (flatc, the TFLite converter's C++ builder, ours) does this and
 *     the reference verifier checks it; a misaligned offset is a corrupt file.
 *   - tolerated: scalar fields and 8-byte vector elements that are only
 *     4-aligned. We read every value with memcpy, so misalignment there is
 *     harmless, and rejecting it would buy no safety.
 * Alignment is relative to the buffer start, not to the host address.
 *
 * Nesting depth: every table carries its depth from the root; opening a
 * table deeper than PNN_FB_MAX_DEPTH fails. The TFLite schema is at most
 * ~6 deep, so this only bounds hostile or generic use. */
#ifndef PNN_FORMAT_FLATBUF_READ_H
#define PNN_FORMAT_FLATBUF_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pocketnn.h"

#define PNN_FB_MAX_DEPTH 64
/* FlatBuffer offsets are 32-bit; the structured part of a file lies in the
 * first 2 GB (larger models keep their data after it, found by offset). */
#define PNN_FB_MAX_SIZE ((size_t)0x7fffffff)

typedef struct pnn_fb {
  const uint8_t *buf;
  size_t size;      /* bytes addressable by offsets (<= PNN_FB_MAX_SIZE) */
  char reason[160]; /* why the last call failed */
} pnn_fb;

typedef struct pnn_fb_table {
  size_t pos;       /* table start (where its soffset is) */
  size_t vt;        /* vtable start */
  uint16_t vt_size; /* vtable bytes, >= 4 */
  uint16_t tsize;   /* inline table bytes, >= 4 */
  int depth;        /* 0 = root */
} pnn_fb_table;

typedef struct pnn_fb_vec {
  size_t pos;     /* first element (after the length prefix) */
  uint32_t count; /* 0 when the field is absent */
} pnn_fb_vec;

/* Sets up a reader; sizes above PNN_FB_MAX_SIZE are clamped (offsets can't
 * reach further). */
void pnn_fb_init(pnn_fb *fb, const uint8_t *buf, size_t size);

/* True if bytes 4..7 equal `id` (4 characters). */
bool pnn_fb_has_identifier(const pnn_fb *fb, const char *id);

/* The root table (uoffset at byte 0). */
pnn_status pnn_fb_root(pnn_fb *fb, pnn_fb_table *out);

/* Opens the table starting at `pos`: checks its soffset, vtable and inline
 * size lie in the buffer and are aligned. */
pnn_status pnn_fb_table_at(pnn_fb *fb, size_t pos, int depth,
                           pnn_fb_table *out);

/* Position of field `slot`, or 0 if absent (a real field is never at 0). */
size_t pnn_fb_field_pos(const pnn_fb *fb, const pnn_fb_table *t, int slot);

/* Copies a `width`-byte scalar field into out; absent: *present = false and
 * out untouched. The field must lie inside the table's inline bytes. */
pnn_status pnn_fb_scalar(pnn_fb *fb, const pnn_fb_table *t, int slot,
                         size_t width, void *out, bool *present);

/* Typed scalar reads with a schema default for an absent field. */
pnn_status pnn_fb_u8(pnn_fb *fb, const pnn_fb_table *t, int slot, uint8_t dflt,
                     uint8_t *out);
pnn_status pnn_fb_i8(pnn_fb *fb, const pnn_fb_table *t, int slot, int8_t dflt,
                     int8_t *out);
pnn_status pnn_fb_bool(pnn_fb *fb, const pnn_fb_table *t, int slot, bool dflt,
                       bool *out);
pnn_status pnn_fb_i32(pnn_fb *fb, const pnn_fb_table *t, int slot, int32_t dflt,
                      int32_t *out);
pnn_status pnn_fb_u32(pnn_fb *fb, const pnn_fb_table *t, int slot,
                      uint32_t dflt, uint32_t *out);
pnn_status pnn_fb_i64(pnn_fb *fb, const pnn_fb_table *t, int slot, int64_t dflt,
                      int64_t *out);
pnn_status pnn_fb_u64(pnn_fb *fb, const pnn_fb_table *t, int slot,
                      uint64_t dflt, uint64_t *out);
pnn_status pnn_fb_f32(pnn_fb *fb, const pnn_fb_table *t, int slot, float dflt,
                      float *out);

/* Follows the uoffset field `slot`: *target = its destination, checked to be
 * inside the buffer. Absent: *present = false. */
pnn_status pnn_fb_offset(pnn_fb *fb, const pnn_fb_table *t, int slot,
                         size_t *target, bool *present);

/* Vector field of `elem_size`-byte elements; count * elem_size is checked
 * against the buffer end without overflow. Absent: count 0. */
pnn_status pnn_fb_vector(pnn_fb *fb, const pnn_fb_table *t, int slot,
                         size_t elem_size, pnn_fb_vec *out);

/* String field: *s points into the buffer, NUL-terminated inside it, with
 * *len bytes before the terminator. Absent: *s = NULL, *len = 0. */
pnn_status pnn_fb_string(pnn_fb *fb, const pnn_fb_table *t, int slot,
                         const char **s, uint32_t *len);

/* Sub-table field. Absent: *present = false. */
pnn_status pnn_fb_subtable(pnn_fb *fb, const pnn_fb_table *t, int slot,
                           pnn_fb_table *out, bool *present);

/* Element i (< v->count) of a vector of tables. */
pnn_status pnn_fb_vector_table(pnn_fb *fb, const pnn_fb_vec *v, uint32_t i,
                               int depth, pnn_fb_table *out);

/* Union: type byte at `type_slot`, table at type_slot + 1. A nonzero type
 * needs a value; a zero type ignores any value. *type = 0 when absent. */
pnn_status pnn_fb_union(pnn_fb *fb, const pnn_fb_table *t, int type_slot,
                        uint8_t *type, pnn_fb_table *value);

/* Element reads from a verified vector (i < count is the caller's job). */
static inline uint8_t pnn_fb_vec_u8(const pnn_fb *fb, const pnn_fb_vec *v,
                                    uint32_t i) {
  return fb->buf[v->pos + i];
}
static inline uint16_t pnn_fb_vec_u16(const pnn_fb *fb, const pnn_fb_vec *v,
                                      uint32_t i) {
  uint16_t x;
  memcpy(&x, fb->buf + v->pos + (size_t)i * 2, 2);
  return x;
}
static inline uint32_t pnn_fb_vec_u32(const pnn_fb *fb, const pnn_fb_vec *v,
                                      uint32_t i) {
  uint32_t x;
  memcpy(&x, fb->buf + v->pos + (size_t)i * 4, 4);
  return x;
}
static inline uint64_t pnn_fb_vec_u64(const pnn_fb *fb, const pnn_fb_vec *v,
                                      uint32_t i) {
  uint64_t x;
  memcpy(&x, fb->buf + v->pos + (size_t)i * 8, 8);
  return x;
}

#endif
