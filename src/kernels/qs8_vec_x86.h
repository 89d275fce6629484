/* Helpers shared by the x86 qs8_vec kernel files (not a public API). */
#ifndef PNN_KERNELS_QS8_VEC_X86_H
#define PNN_KERNELS_QS8_VEC_X86_H

#include <stddef.h>
#include <stdint.h>

/* pnn_qm_mul_by_qm's shifts for a TFLite exponent: left = max(shift, 0)
 * and right = max(-shift, 0), each capped at 31 as the reference caps
 * them. */
static inline void pnn_qs8x_split_shift(int shift, int *left, int *right) {
  *left = shift > 0 ? (shift > 31 ? 31 : shift) : 0;
  *right = shift < 0 ? (shift < -31 ? 31 : -shift) : 0;
}

/* The AVX2 table lookup (qs8_vec_avx2.c), also used by the AVX-512 level
 * on hosts without VBMI. */
void pnn_qs8_lut_avx2(const uint8_t *x, uint8_t *o, size_t n,
                      const uint8_t *table);

#endif
