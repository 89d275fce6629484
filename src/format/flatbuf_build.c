/* FlatBuffer builder: a byte buffer filled from its end towards its start.
 * See flatbuf_build.h for the model of use. */
#include "flatbuf_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pocketnn's FlatBuffer writer assumes a little-endian host"
#endif

void pnn_fbb_init(pnn_fbb *b) {
  memset(b, 0, sizeof *b);
  b->minalign = 1;
  b->limit = PNN_FBB_MAX_SIZE;
  b->status = PNN_OK;
}

void pnn_fbb_set_limit(pnn_fbb *b, size_t limit) {
  b->limit = limit && limit < PNN_FBB_MAX_SIZE ? limit : PNN_FBB_MAX_SIZE;
}

void pnn_fbb_free(pnn_fbb *b) {
  size_t limit = b->limit;
  free(b->buf);
  free(b->vt_set);
  pnn_fbb_init(b);
  b->limit = limit; /* a reused builder keeps its limit */
}

bool pnn_fbb_ok(const pnn_fbb *b) {
  return b->status == PNN_OK;
}

const char *pnn_fbb_error(const pnn_fbb *b) {
  return b->err;
}

static void fail(pnn_fbb *b, pnn_status st, const char *msg) {
  if (b->status != PNN_OK) return; /* keep the first failure */
  b->status = st;
  snprintf(b->err, sizeof b->err, "flatbuffer builder: %s", msg);
}

/* Makes room for `need` more bytes in front of the data. */
static bool reserve(pnn_fbb *b, size_t need) {
  if (b->status != PNN_OK) return false;
  if (b->size > b->limit || need > b->limit - b->size) {
    fail(b, PNN_ERROR_LIMIT,
         b->limit == PNN_FBB_MAX_SIZE ? "buffer would exceed 2 GB"
                                      : "buffer would exceed its size limit");
    return false;
  }
  if (b->cap - b->size >= need) return true;
  size_t cap = b->cap ? b->cap : 1024;
  while (cap - b->size < need) cap *= 2; /* size + need < 2^31: no wrap */
  uint8_t *nb = malloc(cap);
  if (!nb) {
    fail(b, PNN_ERROR_OUT_OF_MEMORY, "out of memory");
    return false;
  }
  /* Data sits at the end, so it moves to the end of the new block. */
  if (b->size) memcpy(nb + cap - b->size, b->buf + b->cap - b->size, b->size);
  free(b->buf);
  b->buf = nb;
  b->cap = cap;
  return true;
}

static uint8_t *front(pnn_fbb *b) {
  return b->buf + b->cap - b->size;
}

static void push(pnn_fbb *b, const void *src, size_t n) {
  if (!reserve(b, n)) return;
  b->size += n;
  if (src)
    memcpy(front(b), src, n);
  else
    memset(front(b), 0, n);
}

/* Pads so that after `extra` more bytes the size is a multiple of `align`;
 * sizes count from the end and the final size is a multiple of minalign, so
 * this aligns absolute positions too. */
static void prep(pnn_fbb *b, size_t align, size_t extra) {
  if (align > b->minalign) b->minalign = align;
  size_t pad = (size_t)(-(b->size + extra)) & (align - 1);
  if (pad) push(b, NULL, pad);
}

static void push_u32(pnn_fbb *b, uint32_t v) {
  push(b, &v, 4);
}

/* ------------------------------------------------------------ strings */

pnn_fb_ref pnn_fbb_string(pnn_fbb *b, const char *s, size_t len) {
  if (b->in_table) fail(b, PNN_ERROR_INVALID_ARGUMENT, "string inside table");
  if (len > PNN_FBB_MAX_SIZE) fail(b, PNN_ERROR_LIMIT, "string too long");
  if (b->status != PNN_OK) return 0;
  prep(b, 4, len + 1);
  push(b, NULL, 1); /* NUL terminator */
  push(b, s, len);
  push_u32(b, (uint32_t)len);
  return b->status == PNN_OK ? (pnn_fb_ref)b->size : 0;
}

pnn_fb_ref pnn_fbb_cstring(pnn_fbb *b, const char *s) {
  return pnn_fbb_string(b, s ? s : "", s ? strlen(s) : 0);
}

/* ------------------------------------------------------------ vectors */

pnn_fb_ref pnn_fbb_vector(pnn_fbb *b, const void *data, size_t elem_size,
                          size_t count, size_t align) {
  if (b->in_table) fail(b, PNN_ERROR_INVALID_ARGUMENT, "vector inside table");
  if (align < elem_size || align > 16 || (align & (align - 1)))
    fail(b, PNN_ERROR_INVALID_ARGUMENT, "bad vector alignment");
  if (elem_size && count > PNN_FBB_MAX_SIZE / elem_size)
    fail(b, PNN_ERROR_LIMIT, "vector exceeds 2 GB");
  if (count && !data) fail(b, PNN_ERROR_INVALID_ARGUMENT, "vector data NULL");
  if (count > UINT32_MAX) fail(b, PNN_ERROR_LIMIT, "vector too long");
  if (b->status != PNN_OK) return 0;
  size_t n = elem_size * count;
  prep(b, 4, n);
  prep(b, align, n);
  if (n) push(b, data, n);
  push_u32(b, (uint32_t)count);
  return b->status == PNN_OK ? (pnn_fb_ref)b->size : 0;
}

pnn_fb_ref pnn_fbb_vector_refs(pnn_fbb *b, const pnn_fb_ref *refs,
                               size_t count) {
  if (b->in_table) fail(b, PNN_ERROR_INVALID_ARGUMENT, "vector inside table");
  if (count > PNN_FBB_MAX_SIZE / 4) fail(b, PNN_ERROR_LIMIT, "vector too long");
  if (b->status != PNN_OK) return 0;
  prep(b, 4, 4 * count);
  for (size_t i = count; i-- > 0;) {
    if (refs[i] == 0 || refs[i] > b->size) {
      fail(b, PNN_ERROR_INVALID_ARGUMENT, "vector of offsets: bad offset");
      return 0;
    }
    /* Relative to where this element will sit: size + 4 from the end. */
    push_u32(b, (uint32_t)(b->size + 4 - refs[i]));
  }
  push_u32(b, (uint32_t)count);
  return b->status == PNN_OK ? (pnn_fb_ref)b->size : 0;
}

/* ------------------------------------------------------------- tables */

void pnn_fbb_start_table(pnn_fbb *b) {
  if (b->in_table) fail(b, PNN_ERROR_INVALID_ARGUMENT, "nested table");
  b->in_table = true;
  b->table_start = b->size;
  b->n_fields = 0;
  b->max_slot = -1;
}

/* Pushes a scalar field aligned to its size and records its slot. */
static void add_field(pnn_fbb *b, int slot, const void *v, size_t n) {
  if (!b->in_table) fail(b, PNN_ERROR_INVALID_ARGUMENT, "field outside table");
  if (slot < 0 || slot >= PNN_FBB_MAX_SLOTS)
    fail(b, PNN_ERROR_INVALID_ARGUMENT, "field slot out of range");
  for (int i = 0; i < b->n_fields && b->status == PNN_OK; i++)
    if (b->field_slot[i] == slot)
      fail(b, PNN_ERROR_INVALID_ARGUMENT, "field slot added twice");
  if (b->status != PNN_OK) return;
  prep(b, n, 0);
  push(b, v, n);
  if (b->status != PNN_OK) return;
  b->field_slot[b->n_fields] = (uint16_t)slot;
  b->field_off[b->n_fields] = (uint32_t)b->size;
  b->n_fields++;
  if (slot > b->max_slot) b->max_slot = slot;
}

void pnn_fbb_add_u8(pnn_fbb *b, int slot, uint8_t v, uint8_t dflt) {
  if (v != dflt) add_field(b, slot, &v, 1);
}
void pnn_fbb_add_i8(pnn_fbb *b, int slot, int8_t v, int8_t dflt) {
  if (v != dflt) add_field(b, slot, &v, 1);
}
void pnn_fbb_add_bool(pnn_fbb *b, int slot, bool v, bool dflt) {
  uint8_t u = v ? 1 : 0;
  if (v != dflt) add_field(b, slot, &u, 1);
}
void pnn_fbb_add_u16(pnn_fbb *b, int slot, uint16_t v, uint16_t dflt) {
  if (v != dflt) add_field(b, slot, &v, 2);
}
void pnn_fbb_add_i32(pnn_fbb *b, int slot, int32_t v, int32_t dflt) {
  if (v != dflt) add_field(b, slot, &v, 4);
}
void pnn_fbb_add_u32(pnn_fbb *b, int slot, uint32_t v, uint32_t dflt) {
  if (v != dflt) add_field(b, slot, &v, 4);
}
void pnn_fbb_add_i64(pnn_fbb *b, int slot, int64_t v, int64_t dflt) {
  if (v != dflt) add_field(b, slot, &v, 8);
}
void pnn_fbb_add_u64(pnn_fbb *b, int slot, uint64_t v, uint64_t dflt) {
  if (v != dflt) add_field(b, slot, &v, 8);
}
void pnn_fbb_add_f32(pnn_fbb *b, int slot, float v, float dflt) {
  if (memcmp(&v, &dflt, sizeof v) != 0) add_field(b, slot, &v, 4);
}

void pnn_fbb_add_ref(pnn_fbb *b, int slot, pnn_fb_ref ref) {
  if (ref == 0) return;
  if (ref > b->size) {
    fail(b, PNN_ERROR_INVALID_ARGUMENT, "field refers to a bad offset");
    return;
  }
  prep(b, 4, 4);
  uint32_t rel = (uint32_t)(b->size + 4 - ref);
  add_field(b, slot, &rel, 4);
}

static uint32_t vt_hash(const uint8_t *vt, size_t n) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ vt[i]) * 16777619u;
  return h;
}

/* Bytes of the vtable stored at from-end offset `off`. */
static const uint8_t *vt_at(const pnn_fbb *b, uint32_t off) {
  return b->buf + b->cap - off;
}

static size_t vt_len(const uint8_t *vt) {
  return (size_t)vt[0] | (size_t)vt[1] << 8;
}

static bool vt_set_insert(pnn_fbb *b, uint32_t off);

static bool vt_set_grow(pnn_fbb *b) {
  size_t ncap = b->vt_cap ? b->vt_cap * 2 : 256;
  uint32_t *old = b->vt_set;
  size_t ocap = b->vt_cap;
  b->vt_set = calloc(ncap, sizeof *b->vt_set);
  if (!b->vt_set) {
    b->vt_set = old; /* keep working without growing: dedupe is optional */
    return false;
  }
  b->vt_cap = ncap;
  b->vt_count = 0;
  for (size_t i = 0; i < ocap; i++)
    if (old[i]) vt_set_insert(b, old[i]);
  free(old);
  return true;
}

static bool vt_set_insert(pnn_fbb *b, uint32_t off) {
  if ((b->vt_count + 1) * 2 > b->vt_cap && !vt_set_grow(b)) return false;
  const uint8_t *vt = vt_at(b, off);
  size_t i = vt_hash(vt, vt_len(vt)) & (b->vt_cap - 1);
  while (b->vt_set[i]) i = (i + 1) & (b->vt_cap - 1);
  b->vt_set[i] = off;
  b->vt_count++;
  return true;
}

/* From-end offset of an identical vtable written before, or 0. */
static uint32_t vt_find(const pnn_fbb *b, const uint8_t *vt, size_t n) {
  if (!b->vt_cap) return 0;
  size_t i = vt_hash(vt, n) & (b->vt_cap - 1);
  for (; b->vt_set[i]; i = (i + 1) & (b->vt_cap - 1)) {
    const uint8_t *old = vt_at(b, b->vt_set[i]);
    if (vt_len(old) == n && memcmp(old, vt, n) == 0) return b->vt_set[i];
  }
  return 0;
}

pnn_fb_ref pnn_fbb_end_table(pnn_fbb *b) {
  if (!b->in_table) fail(b, PNN_ERROR_INVALID_ARGUMENT, "end without table");
  b->in_table = false;
  if (b->status != PNN_OK) return 0;
  int32_t placeholder = 0;
  prep(b, 4, 0);
  push(b, &placeholder, 4); /* soffset to the vtable, patched below */
  if (b->status != PNN_OK) return 0;
  size_t table_off = b->size;
  size_t n_slots = (size_t)(b->max_slot + 1);
  size_t vt_bytes = 4 + 2 * n_slots;
  size_t obj_size = table_off - b->table_start;
  if (obj_size > 0xffff) {
    fail(b, PNN_ERROR_LIMIT, "table larger than 64 KB");
    return 0;
  }
  uint8_t vt[4 + 2 * PNN_FBB_MAX_SLOTS];
  memset(vt, 0, vt_bytes);
  vt[0] = (uint8_t)vt_bytes;
  vt[1] = (uint8_t)(vt_bytes >> 8);
  vt[2] = (uint8_t)obj_size;
  vt[3] = (uint8_t)(obj_size >> 8);
  for (int i = 0; i < b->n_fields; i++) {
    size_t pos = table_off - b->field_off[i]; /* field's offset in the table */
    vt[4 + 2 * b->field_slot[i]] = (uint8_t)pos;
    vt[5 + 2 * b->field_slot[i]] = (uint8_t)(pos >> 8);
  }
  uint32_t vt_off = vt_find(b, vt, vt_bytes);
  if (!vt_off) {
    push(b, vt, vt_bytes); /* size stays 2-aligned: vt_bytes is even */
    if (b->status != PNN_OK) return 0;
    vt_off = (uint32_t)b->size;
    vt_set_insert(b, vt_off);
  }
  /* vtable position = table position - soffset. */
  int32_t soff = (int32_t)((int64_t)vt_off - (int64_t)table_off);
  memcpy(b->buf + b->cap - table_off, &soff, 4);
  return (pnn_fb_ref)table_off;
}

/* ------------------------------------------------------------- finish */

pnn_status pnn_fbb_finish(pnn_fbb *b, pnn_fb_ref root, const char *ident) {
  if (b->in_table) fail(b, PNN_ERROR_INVALID_ARGUMENT, "finish inside table");
  if (root == 0 || root > b->size)
    fail(b, PNN_ERROR_INVALID_ARGUMENT, "bad root offset");
  if (b->status != PNN_OK) return b->status;
  prep(b, b->minalign < 4 ? 4 : b->minalign, 4 + (ident ? 4 : 0));
  if (ident) push(b, ident, 4);
  push_u32(b, (uint32_t)(b->size + 4 - root));
  return b->status;
}

const uint8_t *pnn_fbb_data(const pnn_fbb *b) {
  return b->buf ? b->buf + b->cap - b->size : NULL;
}

size_t pnn_fbb_size(const pnn_fbb *b) {
  return b->size;
}

uint8_t *pnn_fbb_release(pnn_fbb *b, size_t *size) {
  *size = 0;
  if (!b->buf || b->status != PNN_OK || b->size == 0) return NULL;
  uint8_t *buf = b->buf;
  size_t n = b->size;
  memmove(buf, buf + b->cap - n, n);
  uint8_t *shrunk = realloc(buf, n); /* may fail: keep the larger block */
  b->buf = NULL;
  pnn_fbb_free(b);
  *size = n;
  return shrunk ? shrunk : buf;
}
