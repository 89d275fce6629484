/* Bounds-checked FlatBuffer primitives; see flatbuf_read.h for the policy.
 * Every check is written as "need <= size - pos" after establishing
 * pos <= size, so no sum can overflow. */
#include "flatbuf_read.h"

#include <stdarg.h>
#include <stdio.h>

/* The file format is little-endian and values are read with memcpy. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pocketnn reads FlatBuffers natively and needs a little-endian host"
#endif

static pnn_status fail(pnn_fb *fb, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static pnn_status fail(pnn_fb *fb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(fb->reason, sizeof(fb->reason), fmt, ap);
  va_end(ap);
  return PNN_ERROR_INVALID_MODEL;
}

/* True if [pos, pos + n) lies inside the buffer. */
static bool in_bounds(const pnn_fb *fb, size_t pos, size_t n) {
  return pos <= fb->size && n <= fb->size - pos;
}

static uint32_t rd_u32(const pnn_fb *fb, size_t pos) {
  uint32_t x;
  memcpy(&x, fb->buf + pos, 4);
  return x;
}

static uint16_t rd_u16(const pnn_fb *fb, size_t pos) {
  uint16_t x;
  memcpy(&x, fb->buf + pos, 2);
  return x;
}

void pnn_fb_init(pnn_fb *fb, const uint8_t *buf, size_t size) {
  fb->buf = buf;
  fb->size = size > PNN_FB_MAX_SIZE ? PNN_FB_MAX_SIZE : size;
  fb->reason[0] = '\0';
}

bool pnn_fb_has_identifier(const pnn_fb *fb, const char *id) {
  return in_bounds(fb, 4, 4) && memcmp(fb->buf + 4, id, 4) == 0;
}

/* Follows a uoffset stored at `pos` (which must be 4-aligned and in the
 * buffer); the destination must be inside the buffer too. */
static pnn_status follow(pnn_fb *fb, size_t pos, size_t *target) {
  if (pos % 4) return fail(fb, "offset at byte %zu is not 4-byte aligned", pos);
  if (!in_bounds(fb, pos, 4))
    return fail(fb, "offset at byte %zu is past the end (size %zu)", pos,
                fb->size);
  uint32_t off = rd_u32(fb, pos);
  if (off == 0 || off >= fb->size - pos)
    return fail(fb,
                "offset %u at byte %zu points outside the buffer (size %zu)",
                off, pos, fb->size);
  *target = pos + off;
  return PNN_OK;
}

pnn_status pnn_fb_root(pnn_fb *fb, pnn_fb_table *out) {
  if (fb->size < 8)
    return fail(fb, "file is %zu bytes, too small for a FlatBuffer", fb->size);
  size_t pos = 0;
  pnn_status st = follow(fb, 0, &pos);
  if (st) return st;
  return pnn_fb_table_at(fb, pos, 0, out);
}

pnn_status pnn_fb_table_at(pnn_fb *fb, size_t pos, int depth,
                           pnn_fb_table *out) {
  if (depth > PNN_FB_MAX_DEPTH)
    return fail(fb, "tables nested deeper than %d", PNN_FB_MAX_DEPTH);
  if (pos % 4) return fail(fb, "table at byte %zu is not 4-byte aligned", pos);
  if (!in_bounds(fb, pos, 4))
    return fail(fb, "table at byte %zu is past the end (size %zu)", pos,
                fb->size);
  /* vtable = table - soffset, computed in 64-bit signed arithmetic. */
  int32_t soff;
  memcpy(&soff, fb->buf + pos, 4);
  int64_t vt = (int64_t)pos - (int64_t)soff;
  if (vt < 0 || (uint64_t)vt > fb->size - 4)
    return fail(fb, "table at byte %zu: vtable at %lld is outside the buffer",
                pos, (long long)vt);
  if (vt % 2)
    return fail(fb, "table at byte %zu: vtable at %lld is not 2-byte aligned",
                pos, (long long)vt);
  uint16_t vsize = rd_u16(fb, (size_t)vt);
  uint16_t tsize = rd_u16(fb, (size_t)vt + 2);
  if (vsize < 4 || vsize % 2)
    return fail(fb, "table at byte %zu: bad vtable size %u", pos, vsize);
  if (!in_bounds(fb, (size_t)vt, vsize))
    return fail(fb, "table at byte %zu: vtable of %u bytes runs past the end",
                pos, vsize);
  if (tsize < 4 || !in_bounds(fb, pos, tsize))
    return fail(fb,
                "table at byte %zu: inline size %u is invalid or runs "
                "past the end",
                pos, tsize);
  out->pos = pos;
  out->vt = (size_t)vt;
  out->vt_size = vsize;
  out->tsize = tsize;
  out->depth = depth;
  return PNN_OK;
}

size_t pnn_fb_field_pos(const pnn_fb *fb, const pnn_fb_table *t, int slot) {
  if (slot < 0) return 0;
  size_t entry = 4 + (size_t)slot * 2;
  if (entry + 2 > t->vt_size) return 0;
  uint16_t off = rd_u16(fb, t->vt + entry);
  return off ? t->pos + off : 0;
}

/* Field position with `width` bytes checked to lie in the inline table. */
static pnn_status field(pnn_fb *fb, const pnn_fb_table *t, int slot,
                        size_t width, size_t *pos) {
  *pos = pnn_fb_field_pos(fb, t, slot);
  if (!*pos) return PNN_OK;
  size_t rel = *pos - t->pos;
  if (rel < 4 || width > t->tsize || rel > t->tsize - width)
    return fail(fb,
                "table at byte %zu: field %d (%zu bytes at +%zu) lies "
                "outside the table's %u bytes",
                t->pos, slot, width, rel, t->tsize);
  return PNN_OK;
}

pnn_status pnn_fb_scalar(pnn_fb *fb, const pnn_fb_table *t, int slot,
                         size_t width, void *out, bool *present) {
  size_t pos;
  pnn_status st = field(fb, t, slot, width, &pos);
  if (st) return st;
  *present = pos != 0;
  if (pos) memcpy(out, fb->buf + pos, width);
  return PNN_OK;
}

#define PNN_FB_TYPED(fn, T)                                                    \
  pnn_status fn(pnn_fb *fb, const pnn_fb_table *t, int slot, T dflt, T *out) { \
    T v;                                                                       \
    bool present;                                                              \
    pnn_status st = pnn_fb_scalar(fb, t, slot, sizeof(T), &v, &present);       \
    if (st) return st;                                                         \
    *out = present ? v : dflt;                                                 \
    return PNN_OK;                                                             \
  }
PNN_FB_TYPED(pnn_fb_u8, uint8_t)
PNN_FB_TYPED(pnn_fb_i8, int8_t)
PNN_FB_TYPED(pnn_fb_i32, int32_t)
PNN_FB_TYPED(pnn_fb_u32, uint32_t)
PNN_FB_TYPED(pnn_fb_i64, int64_t)
PNN_FB_TYPED(pnn_fb_u64, uint64_t)
PNN_FB_TYPED(pnn_fb_f32, float)
#undef PNN_FB_TYPED

/* A bool byte may hold any value in a hostile file; never copy it into a C
 * bool unnormalized (that would be undefined behaviour). */
pnn_status pnn_fb_bool(pnn_fb *fb, const pnn_fb_table *t, int slot, bool dflt,
                       bool *out) {
  uint8_t v;
  pnn_status st = pnn_fb_u8(fb, t, slot, dflt ? 1 : 0, &v);
  if (st) return st;
  *out = v != 0;
  return PNN_OK;
}

pnn_status pnn_fb_offset(pnn_fb *fb, const pnn_fb_table *t, int slot,
                         size_t *target, bool *present) {
  size_t pos;
  pnn_status st = field(fb, t, slot, 4, &pos);
  if (st) return st;
  *present = pos != 0;
  if (!pos) return PNN_OK;
  return follow(fb, pos, target);
}

/* Length-prefixed data at `pos`: prefix 4-aligned, elements in bounds. */
static pnn_status vector_at(pnn_fb *fb, size_t pos, size_t elem_size,
                            pnn_fb_vec *out) {
  if (pos % 4) return fail(fb, "vector at byte %zu is not 4-byte aligned", pos);
  if (!in_bounds(fb, pos, 4))
    return fail(fb, "vector at byte %zu is past the end", pos);
  uint32_t n = rd_u32(fb, pos);
  size_t avail = fb->size - pos - 4;
  if (elem_size && n > avail / elem_size)
    return fail(fb,
                "vector at byte %zu: %u elements of %zu bytes run past "
                "the end (size %zu)",
                pos, n, elem_size, fb->size);
  out->pos = pos + 4;
  out->count = n;
  return PNN_OK;
}

pnn_status pnn_fb_vector(pnn_fb *fb, const pnn_fb_table *t, int slot,
                         size_t elem_size, pnn_fb_vec *out) {
  size_t target;
  bool present;
  out->pos = 0;
  out->count = 0;
  pnn_status st = pnn_fb_offset(fb, t, slot, &target, &present);
  if (st || !present) return st;
  return vector_at(fb, target, elem_size, out);
}

pnn_status pnn_fb_string(pnn_fb *fb, const pnn_fb_table *t, int slot,
                         const char **s, uint32_t *len) {
  pnn_fb_vec v;
  *s = NULL;
  *len = 0;
  pnn_status st = pnn_fb_vector(fb, t, slot, 1, &v);
  if (st || !v.pos) return st;
  /* The terminator must be inside the buffer too. */
  if (v.count >= fb->size - v.pos || fb->buf[v.pos + v.count] != '\0')
    return fail(fb, "string at byte %zu is not NUL-terminated", v.pos - 4);
  *s = (const char *)(fb->buf + v.pos);
  *len = v.count;
  return PNN_OK;
}

pnn_status pnn_fb_subtable(pnn_fb *fb, const pnn_fb_table *t, int slot,
                           pnn_fb_table *out, bool *present) {
  size_t target;
  pnn_status st = pnn_fb_offset(fb, t, slot, &target, present);
  if (st || !*present) return st;
  return pnn_fb_table_at(fb, target, t->depth + 1, out);
}

pnn_status pnn_fb_vector_table(pnn_fb *fb, const pnn_fb_vec *v, uint32_t i,
                               int depth, pnn_fb_table *out) {
  if (i >= v->count)
    return fail(fb, "element %u of a %u-element vector", i, v->count);
  size_t target = 0;
  pnn_status st = follow(fb, v->pos + (size_t)i * 4, &target);
  if (st) return st;
  return pnn_fb_table_at(fb, target, depth, out);
}

pnn_status pnn_fb_union(pnn_fb *fb, const pnn_fb_table *t, int type_slot,
                        uint8_t *type, pnn_fb_table *value) {
  pnn_status st = pnn_fb_u8(fb, t, type_slot, 0, type);
  if (st || *type == 0) return st;
  bool present;
  st = pnn_fb_subtable(fb, t, type_slot + 1, value, &present);
  if (st) return st;
  if (!present)
    return fail(fb, "table at byte %zu: union type %u has no value", t->pos,
                *type);
  return PNN_OK;
}
