/* Helpers shared by the data-movement op families (shape, slicing, gather,
 * reduce, quantize): option access with schema defaults, axis
 * normalization, reading constant index tensors, type sets, and a strided
 * N-d copy that most layout ops reduce to. Header-only, internal. */
#ifndef PNN_OPS_TENSOR_UTIL_H
#define PNN_OPS_TENSOR_UTIL_H

#include <stdint.h>
#include <string.h>

#include "ops/common.h"

/* Options of `node` as the table `member`, or an all-zero table when the
 * operator carries no (or another) options table. Every table these
 * families read has all-zero schema defaults, so zero is the default. */
const pnn_builtin_options *pnn_tu_zero_options(void);
static inline const pnn_builtin_options *pnn_tu_options(const pnn_node *node,
                                                        uint8_t type) {
  if (node->def && node->def->options_type == type && node->options)
    return node->options;
  return pnn_tu_zero_options();
}
#define PNN_OPTS(node, member) \
  (&pnn_tu_options((node), PNN_OPTIONS_OF(member))->member)

/* Bit for a type in a type set. */
#define PNN_T(type) (1u << (PNN_TYPE_##type))
#define PNN_TYPES_NUMERIC                                                      \
  (PNN_T(FLOAT32) | PNN_T(INT32) | PNN_T(INT64) | PNN_T(INT8) | PNN_T(UINT8) | \
   PNN_T(INT16))
/* Every type with a fixed element size (data-movement ops copy bytes). */
#define PNN_TYPES_FIXED                                                \
  (PNN_TYPES_NUMERIC | PNN_T(BOOL) | PNN_T(FLOAT16) | PNN_T(FLOAT64) | \
   PNN_T(UINT16) | PNN_T(UINT32) | PNN_T(UINT64) | PNN_T(BFLOAT16) |   \
   PNN_T(COMPLEX64) | PNN_T(COMPLEX128))

/* Reports "input i (name): type T not supported" unless t->type is in set. */
static inline pnn_status pnn_tu_check_types(pnn_node *node, const pnn_tensor *t,
                                            int i, uint32_t set) {
  if ((unsigned)t->type < 32 && (set & (1u << t->type))) return PNN_OK;
  return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                        "input %d (%s): type %s not supported", i, t->name,
                        pnn_type_name(t->type));
}

/* Normalizes axis in [-rank, rank) to [0, rank); reports INVALID_MODEL
 * naming `what` otherwise. */
static inline pnn_status pnn_tu_axis(pnn_node *node, int64_t axis, int rank,
                                     const char *what, int *out) {
  *out = 0;
  if (axis < -(int64_t)rank || axis >= rank)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "%s %lld out of range for rank %d", what,
                          (long long)axis, rank);
  *out = (int)(axis < 0 ? axis + rank : axis);
  return PNN_OK;
}

/* Reads a constant int32/int64 tensor of at most `max` elements (scalar or
 * 1-D unless any_rank) into vals, its element count into *n. */
static inline pnn_status pnn_tu_const_ints(pnn_node *node, const pnn_tensor *t,
                                           int i, const char *what,
                                           int64_t *vals, int max, int *n) {
  *n = 0;
  if (t->type != PNN_TYPE_INT32 && t->type != PNN_TYPE_INT64)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input %d (%s, %s): type %s not supported, expected "
                          "int32 or int64",
                          i, t->name, what, pnn_type_name(t->type));
  int64_t count = pnn_tensor_count(t);
  /* An empty tensor has no buffer, so it may not be marked constant; its
   * (absent) values are known all the same. */
  if (!t->is_constant && count != 0)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input %d (%s, %s) must be constant at prepare", i,
                          t->name, what);
  if (count < 0 || count > max)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s, %s): %lld values, at most %d allowed",
                          i, t->name, what, (long long)count, max);
  if ((size_t)count * pnn_type_size(t->type) > t->bytes || (count && !t->data))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s, %s): data shorter than its shape", i,
                          t->name, what);
  for (int64_t k = 0; k < count; k++) vals[k] = pnn_read_index(t, k);
  *n = (int)count;
  return PNN_OK;
}

/* Row-major strides (in elements) of dims. */
static inline void pnn_tu_strides(const int32_t *dims, int rank,
                                  int64_t *strides) {
  int64_t s = 1;
  for (int i = rank - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i];
  }
}

#define PNN_TU_MAX_COPY_RANK (2 * PNN_MAX_RANK)

/* n elements, strided on both sides. Constant-size memcpy for the common
 * element sizes compiles to plain loads and stores. */
#define PNN_TU_RUN(size)          \
  for (int64_t j = 0; j < n; j++) \
  memcpy(dst + j * dstep * (size), src + j * sstep * (size), (size))
static inline void pnn_tu_copy_run(uint8_t *dst, int64_t dstep,
                                   const uint8_t *src, int64_t sstep, int64_t n,
                                   size_t elem) {
  switch (elem) {
    case 1: PNN_TU_RUN(1); break;
    case 2: PNN_TU_RUN(2); break;
    case 4: PNN_TU_RUN(4); break;
    case 8: PNN_TU_RUN(8); break;
    default: PNN_TU_RUN((int64_t)elem); break;
  }
}
#undef PNN_TU_RUN

/* Copies an N-d box of elements: for every index (i0..in-1) < counts,
 * dst[sum i_k*dst_steps[k]] = src[sum i_k*src_steps[k]] (steps in
 * elements, may be 0 or negative). Runs of the innermost dim that are
 * contiguous on both sides are copied with memcpy. */
static inline void pnn_tu_copy_nd(uint8_t *dst, const int64_t *dst_steps,
                                  const uint8_t *src, const int64_t *src_steps,
                                  const int64_t *counts, int rank,
                                  size_t elem) {
  for (int k = 0; k < rank; k++)
    if (counts[k] <= 0) return;
  if (rank == 0) {
    memcpy(dst, src, elem);
    return;
  }
  int64_t idx[PNN_TU_MAX_COPY_RANK] = {0};
  const int last = rank - 1;
  const int64_t n_in = counts[last];
  const bool contiguous = dst_steps[last] == 1 && src_steps[last] == 1;
  int64_t doff = 0, soff = 0;
  for (;;) {
    if (contiguous) {
      memcpy(dst + doff * (int64_t)elem, src + soff * (int64_t)elem,
             (size_t)n_in * elem);
    } else {
      pnn_tu_copy_run(dst + doff * (int64_t)elem, dst_steps[last],
                      src + soff * (int64_t)elem, src_steps[last], n_in, elem);
    }
    /* Advance the odometer over the outer dims. */
    int k = last - 1;
    for (; k >= 0; k--) {
      doff += dst_steps[k];
      soff += src_steps[k];
      if (++idx[k] < counts[k]) break;
      doff -= dst_steps[k] * counts[k];
      soff -= src_steps[k] * counts[k];
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}

/* Byte copy that tolerates dst == src (in-place ops). */
static inline void pnn_tu_move(void *dst, const void *src, size_t bytes) {
  if (bytes && dst != src) memmove(dst, src, bytes);
}

/* IEEE half <-> single conversion (round to nearest even). */
static inline float pnn_tu_half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) << 31;
  uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (man << 13);
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (man << 13);
  } else if (man == 0) {
    bits = sign;
  } else {
    /* Subnormal half: normalize into a float. */
    int e = -1;
    do {
      e++;
      man <<= 1;
    } while (!(man & 0x400));
    bits = sign | ((uint32_t)(112 - e) << 23) | ((man & 0x3ff) << 13);
  }
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static inline uint16_t pnn_tu_float_to_half(float f) {
  uint32_t x;
  memcpy(&x, &f, sizeof x);
  uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
  uint32_t absx = x & 0x7fffffffu;
  if (absx >= 0x7f800000u) /* inf or nan */
    return (uint16_t)(sign | 0x7c00 | (absx > 0x7f800000u ? 0x200 : 0));
  if (absx >= 0x477ff000u) return (uint16_t)(sign | 0x7c00); /* overflow */
  if (absx < 0x38800000u) {
    /* Result is subnormal (or zero): shift with rounding. */
    if (absx < 0x33000000u) return sign;
    uint32_t man = (absx & 0x7fffff) | 0x800000;
    int shift = 126 - (int)(absx >> 23);
    uint32_t half = man >> shift;
    uint32_t rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1))) half++;
    return (uint16_t)(sign | half);
  }
  uint32_t r = absx + 0xfff + ((absx >> 13) & 1) - (112u << 23);
  return (uint16_t)(sign | (r >> 13));
}

#endif
