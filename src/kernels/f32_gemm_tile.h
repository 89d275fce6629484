/* The SIMD f32 GEMM microkernel (contract: pnn_f32_gemm_ukernel in
 * f32_gemm.h), written once and included by f32_gemm_<isa>.c (the fast
 * kernels) and f32_refacc_<isa>.c (the reference-order kernels, see
 * f32_refacc.h), which define before including it:
 *   one of TILE_AVX2 (6x16), TILE_AVX512 (12x32), TILE_NEON (8x8, aarch64),
 *   REFERENCE_ORDER (0 or 1) and TILE_FN (the exported function's name).
 * Not a standalone header: the includer includes f32_gemm.h or
 * f32_refacc.h, unroll.h and the ISA's intrinsics header first.
 *
 * The two modes differ in two things only. REFERENCE_ORDER 0 multiplies
 * and adds in one rounding (FMA) and clamps as min(max(v, lo), hi): the
 * fast path for float models. REFERENCE_ORDER 1 rounds each product, then
 * each sum (a multiply, then an add), and clamps NaN-preserving (x86
 * max/min return their second operand when either is NaN, so v goes
 * second; NEON's fmax/fmin propagate NaN either way), so that the result
 * is bit-identical to TFLite's reference kernels, which hybrid graphs
 * need (why: f32_refacc.h). Everything else is shared: k summed in order
 * from zero (or from C when !first), the bias added last, the same packed
 * panels. Reference order depends on -ffp-contract=off (Makefile), since
 * GCC spells the mul / add intrinsics as C operators, and on the
 * reference-order instantiations staying in files of their own
 * (tests/scripts/test_refacc_no_fma.sh checks their objects). */

#if !defined(REFERENCE_ORDER) || !defined(TILE_FN)
#error "define REFERENCE_ORDER and TILE_FN before including f32_gemm_tile.h"
#endif

/* Per ISA: the vector V of VL floats and its operations (also used by the
 * depthwise rows of the f32_refacc_<isa>.c files), TILE_MR (rows of the
 * tile; its columns are 2 * VL), and how a partial tile reads and writes
 * C: TILE_MASKS(nr) declares what TILE_LOADN / TILE_STOREN (the first nr
 * columns of one row, as two vectors, the rest zero / untouched) use;
 * TILE_FULL_IO: full tiles use plain loads and stores; TILE_NARROW: a
 * panel of at most VL columns skips its all-zero upper half;
 * TILE_UNROLL_PARTIAL: whether the partial row loops unroll; TILE_LANES:
 * four k steps per A load, each multiplying by one lane (VFMA_LANE,
 * VMUL_LANE). */
#if defined(TILE_AVX2)
typedef __m256 V;
#define VL 8
#define TILE_MR 6
#define VZERO() _mm256_setzero_ps()
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VSET1(x) _mm256_set1_ps(x)
#define VBCAST(p) _mm256_broadcast_ss(p)
#define VADD(a, b) _mm256_add_ps((a), (b))
#define VMUL(a, b) _mm256_mul_ps((a), (b))
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VMAX(a, b) _mm256_max_ps((a), (b))
#define VMIN(a, b) _mm256_min_ps((a), (b))
#define TILE_MASKS(nr)                                                   \
  const __m256i lane_ = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);       \
  const __m256i m0_ = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(nr)),   \
                                         lane_);                         \
  const __m256i m1_ =                                                    \
      _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(nr) - 8), lane_)
#define TILE_LOADN(p, nr, v0, v1) \
  ((v0) = _mm256_maskload_ps((p), m0_), (v1) = _mm256_maskload_ps((p) + 8, m1_))
#define TILE_STOREN(p, nr, v0, v1) \
  (_mm256_maskstore_ps((p), m0_, (v0)), _mm256_maskstore_ps((p) + 8, m1_, (v1)))
#define TILE_FULL_IO 1
#define TILE_NARROW 1
#define TILE_LANES 0
#define TILE_UNROLL_PARTIAL PNN_UNROLL

#elif defined(TILE_AVX512)
typedef __m512 V;
#define VL 16
#define TILE_MR 12
#define VZERO() _mm512_setzero_ps()
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VSET1(x) _mm512_set1_ps(x)
#define VBCAST(p) _mm512_set1_ps(*(p))
#define VADD(a, b) _mm512_add_ps((a), (b))
#define VMUL(a, b) _mm512_mul_ps((a), (b))
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VMAX(a, b) _mm512_max_ps((a), (b))
#define VMIN(a, b) _mm512_min_ps((a), (b))
/* Masked loads and stores cost as much as plain ones: always masked. */
#define TILE_MASKS(nr)                                                     \
  const __mmask16 k0_ =                                                    \
      (nr) >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (nr)) - 1u);     \
  const __mmask16 k1_ =                                                    \
      (nr) >= 32 ? (__mmask16)0xffff                                       \
                 : ((nr) <= 16 ? 0 : (__mmask16)((1u << ((nr) - 16)) - 1u))
#define TILE_LOADN(p, nr, v0, v1)              \
  ((v0) = _mm512_maskz_loadu_ps(k0_, (p)),     \
   (v1) = _mm512_maskz_loadu_ps(k1_, (p) + 16))
#define TILE_STOREN(p, nr, v0, v1)             \
  (_mm512_mask_storeu_ps((p), k0_, (v0)),      \
   _mm512_mask_storeu_ps((p) + 16, k1_, (v1)))
#define TILE_FULL_IO 0
#define TILE_NARROW 1
#define TILE_LANES 0
#define TILE_UNROLL_PARTIAL PNN_UNROLL

#elif defined(TILE_NEON)
typedef float32x4_t V;
#define VL 4
#define TILE_MR 8
#define VZERO() vdupq_n_f32(0.f)
#define VLOAD(p) vld1q_f32(p)
#define VSTORE(p, v) vst1q_f32((p), (v))
#define VSET1(x) vdupq_n_f32(x)
#define VBCAST(p) vdupq_n_f32(*(p))
#define VADD(a, b) vaddq_f32((a), (b))
#define VMUL(a, b) vmulq_f32((a), (b))
#define VFMA(a, b, c) vfmaq_f32((c), (a), (b))
#define VMAX(a, b) vmaxq_f32((a), (b))
#define VMIN(a, b) vminq_f32((a), (b))
#define VMUL_LANE(w, v, L) vmulq_laneq_f32((w), (v), (L))
#define VFMA_LANE(acc, w, v, L) vfmaq_laneq_f32((acc), (w), (v), (L))
/* No masked loads: a partial row goes through a zeroed stack buffer. */
#define TILE_MASKS(nr) (void)0
#define TILE_LOADN(p, nr, v0, v1)                              \
  do {                                                         \
    float t_[8] = {0};                                         \
    for (size_t j_ = 0; j_ < (nr); j_++) t_[j_] = (p)[j_];     \
    (v0) = vld1q_f32(t_);                                      \
    (v1) = vld1q_f32(t_ + 4);                                  \
  } while (0)
#define TILE_STOREN(p, nr, v0, v1)                             \
  do {                                                         \
    float t_[8];                                               \
    vst1q_f32(t_, (v0));                                       \
    vst1q_f32(t_ + 4, (v1));                                   \
    for (size_t j_ = 0; j_ < (nr); j_++) (p)[j_] = t_[j_];     \
  } while (0)
#define TILE_FULL_IO 1
#define TILE_NARROW 0
#define TILE_LANES 1
#define TILE_UNROLL_PARTIAL /* rows of copies: not worth the code */

#else
#error "define TILE_AVX2, TILE_AVX512 or TILE_NEON"
#endif

#if REFERENCE_ORDER
#define TILE_MULADD(x, w, acc) VADD((acc), VMUL((x), (w)))
#define TILE_MULADD_LANE(acc, w, v, L) VADD((acc), VMUL_LANE((w), (v), L))
#define TILE_CLAMP(v, lo, hi) VMIN((hi), VMAX((lo), (v)))
#else
#define TILE_MULADD(x, w, acc) VFMA((x), (w), (acc))
#define TILE_MULADD_LANE(acc, w, v, L) VFMA_LANE((acc), (w), (v), L)
#define TILE_CLAMP(v, lo, hi) VMIN(VMAX((v), (lo)), (hi))
#endif

/* acc{0,1}[i] += lane L of av[i] * (w0, w1), for the R rows (TILE_LANES). */
#define TILE_LANE_STEP(L)                                      \
  do {                                                         \
    const V w0 = VLOAD(w), w1 = VLOAD(w + VL);                 \
    w += 2 * VL;                                               \
    PNN_UNROLL for (size_t i = 0; i < R; i++) {                \
      acc0[i] = TILE_MULADD_LANE(acc0[i], w0, av[i], L);       \
      acc1[i] = TILE_MULADD_LANE(acc1[i], w1, av[i], L);       \
    }                                                          \
  } while (0)

/* One R x nr tile (R a constant in each instantiation, so the 2R
 * accumulators live in registers for partial tiles too). */
static inline __attribute__((always_inline)) void tile(
    const size_t R, size_t nr, size_t kc, const float *a, size_t lda,
    const float *w, float *c, size_t ldc, int first, const float *bias,
    float lo, float hi) {
  V acc0[TILE_MR], acc1[TILE_MR];
  TILE_MASKS(nr);
  if (first) {
    const V z = VZERO();
PNN_UNROLL
    for (size_t i = 0; i < R; i++) acc0[i] = acc1[i] = z;
  } else if (TILE_FULL_IO && nr == 2 * VL) {
PNN_UNROLL
    for (size_t i = 0; i < R; i++) {
      acc0[i] = VLOAD(c + i * ldc);
      acc1[i] = VLOAD(c + i * ldc + VL);
    }
  } else {
TILE_UNROLL_PARTIAL
    for (size_t i = 0; i < R; i++)
      TILE_LOADN(c + i * ldc, nr, acc0[i], acc1[i]);
  }
  const float *ap[TILE_MR];
PNN_UNROLL
  for (size_t i = 0; i < R; i++) ap[i] = a + i * lda;
  size_t k = 0;
#if TILE_LANES
  for (; k + 4 <= kc; k += 4) {
    V av[TILE_MR];
PNN_UNROLL
    for (size_t i = 0; i < R; i++) av[i] = VLOAD(ap[i] + k);
    TILE_LANE_STEP(0);
    TILE_LANE_STEP(1);
    TILE_LANE_STEP(2);
    TILE_LANE_STEP(3);
  }
#endif
  if (TILE_NARROW && nr <= VL) {
    for (; k < kc; k++) {
      const V w0 = VLOAD(w);
      w += 2 * VL;
PNN_UNROLL
      for (size_t i = 0; i < R; i++)
        acc0[i] = TILE_MULADD(VBCAST(ap[i] + k), w0, acc0[i]);
    }
  } else {
    for (; k < kc; k++) {
      const V w0 = VLOAD(w), w1 = VLOAD(w + VL);
      w += 2 * VL;
PNN_UNROLL
      for (size_t i = 0; i < R; i++) {
        const V x = VBCAST(ap[i] + k);
        acc0[i] = TILE_MULADD(x, w0, acc0[i]);
        acc1[i] = TILE_MULADD(x, w1, acc1[i]);
      }
    }
  }
  if (bias) {
    const V b0 = VLOAD(bias), b1 = VLOAD(bias + VL);
PNN_UNROLL
    for (size_t i = 0; i < R; i++) {
      acc0[i] = VADD(acc0[i], b0);
      acc1[i] = VADD(acc1[i], b1);
    }
  }
  const V vlo = VSET1(lo), vhi = VSET1(hi);
PNN_UNROLL
  for (size_t i = 0; i < R; i++) {
    acc0[i] = TILE_CLAMP(acc0[i], vlo, vhi);
    acc1[i] = TILE_CLAMP(acc1[i], vlo, vhi);
  }
  if (TILE_FULL_IO && nr == 2 * VL) {
PNN_UNROLL
    for (size_t i = 0; i < R; i++) {
      VSTORE(c + i * ldc, acc0[i]);
      VSTORE(c + i * ldc + VL, acc1[i]);
    }
  } else {
TILE_UNROLL_PARTIAL
    for (size_t i = 0; i < R; i++)
      TILE_STOREN(c + i * ldc, nr, acc0[i], acc1[i]);
  }
}

/* The exported microkernel: one instantiation per row count. */
#define TILE_CASE(R)                                                   \
  case R:                                                              \
    tile(R, nr, kc, a, lda, w, c, ldc, first, bias, lo, hi);           \
    break;
void TILE_FN(size_t mr, size_t nr, size_t kc, const float *a, size_t lda,
             const float *w, float *c, size_t ldc, int first,
             const float *bias, float lo, float hi) {
  switch (mr) {
#if TILE_MR >= 12
    TILE_CASE(12) TILE_CASE(11) TILE_CASE(10) TILE_CASE(9)
#endif
#if TILE_MR >= 8
    TILE_CASE(8) TILE_CASE(7)
#endif
    TILE_CASE(6) TILE_CASE(5) TILE_CASE(4) TILE_CASE(3) TILE_CASE(2)
    TILE_CASE(1)
    default: break;
  }
}
#undef TILE_CASE
