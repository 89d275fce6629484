/* Quantized CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV (see nn_quant.h
 * for the kinds). Reference loops, bit-exact with TFLite's reference
 * integer kernels:
 *   acc = sum over in-bounds taps (w - w_zp) * (x - x_zp)   (padding taps
 *         are skipped, never counted as x_zp), + bias
 *   out = clamp(out_zp + acc * M_c, act_lo, act_hi), M_c = s_x * s_w[c] / s_y
 * int8/uint8 use the int32 multiply (pnn_qm_mul_by_qm), 16x8 the int64 one
 * (pnn_qm_mul_by_qm64). Accumulation is in int64 for every kind; TFLite's
 * int32 accumulators do not overflow on valid models, so the sums agree.
 *
 * Hybrid (float input, int8 weights): each batch image is quantized to
 * int8 on the fly (CONV_2D with one filter scale: symmetric; otherwise
 * asymmetric, as TFLite picks; pnn_qm_*_quantize), then
 *   out = act(acc * s_w[c] * s_x[b] + bias)
 * with LiteRT's float rounding order (see store_hybrid). */
#include <string.h>

#include "kernels/qs8_dwconv.h"
#include "kernels/qs8_gemm.h"
#include "kernels/s8_dot.h"
#include "ops/conv_geom.h"
#include "ops/nn_quant.h"
#include "ops/quant_math.h"

enum { QOP_CONV, QOP_DW, QOP_TCONV };

/* Output channels per accumulator block of the int8 row kernels. */
#define S8_BLOCK 256

typedef struct {
  int op, kind;
  PNN_CONV_GEOM_MEMBERS; /* batch, in_h, ..., groups, dm (conv_geom.h) */
  int32_t in_zp, f_zp, out_zp, lo, hi; /* integer kinds */
  int32_t *mult;                       /* [out_c] */
  int *shift;                          /* [out_c] */
  float *w_scale;                      /* hybrid: [out_c] */
  bool hybrid_asym, hybrid_per_channel;
  int act; /* hybrid: float fused activation */
  int in_i, w_i, bias_i;
  int64_t in_count;
  /* CONV_2D with int8 input (int8 or hybrid) and constant weights: the
   * sum of each tap's weights, [out_c][f_h][f_w], so the inner loop is a
   * plain int8 dot product and the input zero point is applied once per
   * tap: sum w * (x - zp) = sum w * x - zp * sum w (exact in integers). */
  int32_t *wsum;
  pnn_s8_dots_fn dots; /* with wsum */
  /* Pointwise CONV_2D (1x1, stride 1, one group) with wsum: the input is a
   * [pixels, in_c] matrix and the conv a GEMM over pixels. */
  pnn_s8_gemm_fn gemm;
  pnn_s8_requant_fn requant; /* int8 output stage */
  pnn_s8_dw_tap_fn dw_tap;   /* DEPTHWISE int8/hybrid, depth multiplier 1 */
  /* int8 CONV_2D (one group, constant weights and bias) on the packed
   * GEMM: pointwise directly over pixels, others through im2col rows
   * (taps in OHWI order, padding taps = in_zp) built in scratch. */
  pnn_qs8_gemm *qg;
  bool qg_direct;
  int64_t qg_k; /* f_h * f_w * in_c */
  /* int8 DEPTHWISE_CONV_2D (depth multiplier 1, constant weights and
   * bias) on the packed SIMD kernels (kernels/qs8_dwconv.h) */
  pnn_qs8_dw *qdw;
} qconv;

typedef struct {
  const qconv *q;
  const void *in, *w, *bias;
  bool bias64;
  void *out;
  const int8_t *qin;     /* hybrid: quantized input */
  const float *in_scale; /* hybrid: per batch */
  const int32_t *in_zp;  /* hybrid: per batch */
  /* packed GEMM split (qs8_gemm_split): rows x[m][x_stride] */
  const int8_t *x;
  size_t x_stride, m;
  size_t tile_rows, n_tiles; /* panel split: row tiles per panel group */
} qconv_job;

static pnn_status oom(pnn_node *node) {
  return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                        "out of memory for op state");
}

static inline int64_t bias_at(const qconv_job *j, int32_t c) {
  if (!j->bias) return 0;
  if (!j->bias64) return ((const int32_t *)j->bias)[c];
  /* A crafted int64 bias near +-2^63 would overflow `acc + bias` (fuzzer
   * finding); the requantization saturates at +-2^47 anyway, so clamping
   * at +-2^62 changes no result. */
  const int64_t v = ((const int64_t *)j->bias)[c], lim = (int64_t)1 << 62;
  return v > lim ? lim : v < -lim ? -lim : v;
}

/* -------------------------------------------------------- integer rows */

/* Input element at flat index i as int32 (type from the kind). */
#define LOAD_IN(kind, p, i)                                              \
  ((kind) == QK_UINT8  ? (int32_t)((const uint8_t *)(p))[i]            \
   : (kind) == QK_INT16 ? (int32_t)((const int16_t *)(p))[i]           \
                        : (int32_t)((const int8_t *)(p))[i])
#define LOAD_W(kind, p, i)                                               \
  ((kind) == QK_UINT8 ? (int32_t)((const uint8_t *)(p))[i]             \
                      : (int32_t)((const int8_t *)(p))[i])

static inline void store_out(const qconv *q, void *out, int64_t i,
                             int64_t acc, int32_t c) {
  int32_t v;
  if (q->kind == QK_INT16)
    v = pnn_qm_mul_by_qm64(acc, q->mult[c], q->shift[c]);
  else
    v = pnn_qm_mul_by_qm((int32_t)acc, q->mult[c], q->shift[c]);
  v = pnn_qm_clamp_add(v, q->out_zp, q->lo, q->hi);
  switch (q->kind) {
    case QK_UINT8: ((uint8_t *)out)[i] = (uint8_t)v; break;
    case QK_INT16: ((int16_t *)out)[i] = (int16_t)v; break;
    default: ((int8_t *)out)[i] = (int8_t)v; break;
  }
}

static inline void store_hybrid(const qconv *q, const qconv_job *j, int64_t i,
                                int64_t acc, int32_t c, int32_t b) {
  float v;
  /* float rounding order as LiteRT: CONV_2D per-channel (acc * s_w) * s_x,
   * DEPTHWISE and per-tensor CONV_2D acc * (s_w * s_x) */
  if (q->hybrid_per_channel && q->op != QOP_DW)
    v = (float)acc * q->w_scale[c] * j->in_scale[b];
  else
    v = (float)acc * (q->w_scale[c] * j->in_scale[b]);
  if (j->bias) v += ((const float *)j->bias)[c];
  ((float *)j->out)[i] = pnn_apply_activation(q->act, v);
}

/* The reference rows' pieces. One tap: the sum over c < n of
 * (w[wi + c] - f_zp) * (x[xi + c] - in_zp), exact in int64. */
static inline int64_t tap_dot(const qconv *q, const qconv_job *j, int kind,
                              int in_kind, const void *in, int64_t xi,
                              int64_t wi, int32_t n, int32_t in_zp) {
  int64_t s = 0;
  for (int32_t c = 0; c < n; c++)
    s += (int64_t)(LOAD_W(kind, j->w, wi + c) - q->f_zp) *
         (LOAD_IN(in_kind, in, xi + c) - in_zp);
  return s;
}

/* Output element i (channel oc, batch b) from its finished sum acc. */
static inline void store_acc(const qconv *q, const qconv_job *j, int kind,
                             int64_t i, int64_t acc, int32_t oc, int32_t b) {
  if (kind == QK_HYBRID)
    store_hybrid(q, j, i, acc, oc, b);
  else
    store_out(q, j->out, i, acc + bias_at(j, oc), oc);
}

/* int8 outputs oc0..oc0+n-1 of one pixel from int32 sums acc (zero point
 * terms already applied): + bias, requantize, clamp. The hot epilogue of
 * the int8 row kernels, kept free of per-element kind switches. */
static void requant_s8(const qconv *q, const int32_t *acc, int32_t n,
                       int32_t oc0, const int32_t *bias, int8_t *out) {
  q->requant(acc, bias ? bias + oc0 : NULL, q->mult + oc0, q->shift + oc0,
             q->out_zp, q->lo, q->hi, (size_t)n, out);
}

/* CONV_2D, rows [begin, end) of batch * out_h. Groups as in the float
 * kernel: output channel oc reads input channels [group * f_c, + f_c). */
static void conv_rows(const qconv_job *j, int kind, int64_t begin,
                      int64_t end) {
  const qconv *q = j->q;
  const void *in = kind == QK_HYBRID ? (const void *)j->qin : j->in;
  const int in_kind = kind == QK_HYBRID ? QK_INT8 : kind;
  const int32_t oc_per_group = q->out_c / q->groups;
  for (int64_t row = begin; row < end; row++) {
    const int32_t b = (int32_t)(row / q->out_h), oy = (int32_t)(row % q->out_h);
    const int32_t iy0 = oy * q->stride_h - q->pad_h;
    const int32_t in_zp = kind == QK_HYBRID ? j->in_zp[b] : q->in_zp;
    for (int32_t ox = 0; ox < q->out_w; ox++) {
      const int32_t ix0 = ox * q->stride_w - q->pad_w;
      const int64_t o = ((row * q->out_w) + ox) * (int64_t)q->out_c;
      for (int32_t oc = 0; oc < q->out_c; oc++) {
        const int32_t c0 = (oc / oc_per_group) * q->f_c;
        int64_t acc = 0;
        for (int32_t ky = 0; ky < q->f_h; ky++) {
          const int32_t iy = iy0 + ky * q->dil_h;
          if (iy < 0 || iy >= q->in_h) continue;
          for (int32_t kx = 0; kx < q->f_w; kx++) {
            const int32_t ix = ix0 + kx * q->dil_w;
            if (ix < 0 || ix >= q->in_w) continue;
            const int64_t xi =
                (((int64_t)b * q->in_h + iy) * q->in_w + ix) * q->in_c + c0;
            const int64_t wi =
                (((int64_t)oc * q->f_h + ky) * q->f_w + kx) * q->f_c;
            acc += tap_dot(q, j, kind, in_kind, in, xi, wi, q->f_c, in_zp);
          }
        }
        store_acc(q, j, kind, o + oc, acc, oc, b);
      }
    }
  }
}

/* DEPTHWISE_CONV_2D: output channel oc = ic * dm + m reads input ic; the
 * weights are [1, f_h, f_w, out_c]. */
static void dw_rows(const qconv_job *j, int kind, int64_t begin, int64_t end) {
  const qconv *q = j->q;
  const void *in = kind == QK_HYBRID ? (const void *)j->qin : j->in;
  const int in_kind = kind == QK_HYBRID ? QK_INT8 : kind;
  for (int64_t row = begin; row < end; row++) {
    const int32_t b = (int32_t)(row / q->out_h), oy = (int32_t)(row % q->out_h);
    const int32_t iy0 = oy * q->stride_h - q->pad_h;
    const int32_t in_zp = kind == QK_HYBRID ? j->in_zp[b] : q->in_zp;
    for (int32_t ox = 0; ox < q->out_w; ox++) {
      const int32_t ix0 = ox * q->stride_w - q->pad_w;
      const int64_t o = ((row * q->out_w) + ox) * (int64_t)q->out_c;
      for (int32_t oc = 0; oc < q->out_c; oc++) {
        const int32_t ic = oc / q->dm;
        int64_t acc = 0;
        for (int32_t ky = 0; ky < q->f_h; ky++) {
          const int32_t iy = iy0 + ky * q->dil_h;
          if (iy < 0 || iy >= q->in_h) continue;
          for (int32_t kx = 0; kx < q->f_w; kx++) {
            const int32_t ix = ix0 + kx * q->dil_w;
            if (ix < 0 || ix >= q->in_w) continue;
            const int64_t xi =
                (((int64_t)b * q->in_h + iy) * q->in_w + ix) * q->in_c + ic;
            const int64_t wi = ((int64_t)ky * q->f_w + kx) * q->out_c + oc;
            acc += tap_dot(q, j, kind, in_kind, in, xi, wi, 1, in_zp);
          }
        }
        store_acc(q, j, kind, o + oc, acc, oc, b);
      }
    }
  }
}

/* DEPTHWISE_CONV_2D with int8 input and weights (int8, hybrid), per output
 * pixel in blocks of channels: each valid tap adds w[tap][oc] * (x[ic] -
 * zp) to an int32 accumulator row, walking weights and (for depth
 * multiplier 1) input contiguously so the loop vectorizes. Same sums as
 * dw_rows (exact integers; int32 as in TFLite). */
static void dw_rows_s8_worker(void *arg, int64_t begin, int64_t end) {
  const qconv_job *j = arg;
  const qconv *q = j->q;
  const bool hybrid = q->kind == QK_HYBRID;
  const int8_t *in = hybrid ? j->qin : (const int8_t *)j->in;
  const int8_t *w = j->w;
  const int32_t dm = q->dm;
  int32_t acc[S8_BLOCK];
  for (int64_t row = begin; row < end; row++) {
    const int32_t b = (int32_t)(row / q->out_h), oy = (int32_t)(row % q->out_h);
    const int32_t iy0 = oy * q->stride_h - q->pad_h;
    const int32_t zp = hybrid ? j->in_zp[b] : q->in_zp;
    for (int32_t ox = 0; ox < q->out_w; ox++) {
      const int32_t ix0 = ox * q->stride_w - q->pad_w;
      const int64_t o = ((row * q->out_w) + ox) * (int64_t)q->out_c;
      for (int32_t oc0 = 0; oc0 < q->out_c; oc0 += S8_BLOCK) {
        const int32_t n =
            q->out_c - oc0 < S8_BLOCK ? q->out_c - oc0 : S8_BLOCK;
        memset(acc, 0, sizeof(int32_t) * (size_t)n);
        for (int32_t ky = 0; ky < q->f_h; ky++) {
          const int32_t iy = iy0 + ky * q->dil_h;
          if (iy < 0 || iy >= q->in_h) continue;
          for (int32_t kx = 0; kx < q->f_w; kx++) {
            const int32_t ix = ix0 + kx * q->dil_w;
            if (ix < 0 || ix >= q->in_w) continue;
            const int8_t *xp =
                in + (((int64_t)b * q->in_h + iy) * q->in_w + ix) * q->in_c;
            const int8_t *wp =
                w + ((int64_t)ky * q->f_w + kx) * q->out_c + oc0;
            if (dm == 1) {
              q->dw_tap(xp + oc0, wp, zp, (size_t)n, acc);
            } else {
              for (int32_t i = 0; i < n; i++)
                acc[i] += (int32_t)wp[i] * ((int32_t)xp[(oc0 + i) / dm] - zp);
            }
          }
        }
        if (!hybrid) {
          requant_s8(q, acc, n, oc0, j->bias, (int8_t *)j->out + o + oc0);
          continue;
        }
        for (int32_t i = 0; i < n; i++)
          store_hybrid(q, j, o + oc0 + i, acc[i], oc0 + i, b);
      }
    }
  }
}

/* TRANSPOSE_CONV gathered per output element: output (oy, ox) receives
 * input (iy, ix) through tap (ky, kx) when iy * stride - pad + ky == oy.
 * Weights OHWI [out_c, f_h, f_w, in_c]. */
static void tconv_rows(const qconv_job *j, int kind, int64_t begin,
                       int64_t end) {
  const qconv *q = j->q;
  const void *in = kind == QK_HYBRID ? (const void *)j->qin : j->in;
  const int in_kind = kind == QK_HYBRID ? QK_INT8 : kind;
  for (int64_t row = begin; row < end; row++) {
    const int32_t b = (int32_t)(row / q->out_h), oy = (int32_t)(row % q->out_h);
    const int32_t in_zp = kind == QK_HYBRID ? j->in_zp[b] : q->in_zp;
    for (int32_t ox = 0; ox < q->out_w; ox++) {
      const int64_t o = ((row * q->out_w) + ox) * (int64_t)q->out_c;
      for (int32_t oc = 0; oc < q->out_c; oc++) {
        int64_t acc = 0;
        for (int32_t ky = 0; ky < q->f_h; ky++) {
          const int32_t ty = oy + q->pad_h - ky;
          if (ty < 0 || ty % q->stride_h) continue;
          const int32_t iy = ty / q->stride_h;
          if (iy >= q->in_h) continue;
          for (int32_t kx = 0; kx < q->f_w; kx++) {
            const int32_t tx = ox + q->pad_w - kx;
            if (tx < 0 || tx % q->stride_w) continue;
            const int32_t ix = tx / q->stride_w;
            if (ix >= q->in_w) continue;
            const int64_t xi =
                (((int64_t)b * q->in_h + iy) * q->in_w + ix) * q->in_c;
            const int64_t wi =
                (((int64_t)oc * q->f_h + ky) * q->f_w + kx) * q->in_c;
            acc += tap_dot(q, j, kind, in_kind, in, xi, wi, q->in_c, in_zp);
          }
        }
        store_acc(q, j, kind, o + oc, acc, oc, b);
      }
    }
  }
}

/* One instantiation per kind so LOAD_* fold to a single load. */
#define ROWS_FOR_KIND(fn)                                              \
  static void fn##_worker(void *arg, int64_t begin, int64_t end) {    \
    const qconv_job *j = arg;                                          \
    switch (j->q->kind) {                                              \
      case QK_UINT8: fn(j, QK_UINT8, begin, end); break;               \
      case QK_INT16: fn(j, QK_INT16, begin, end); break;               \
      case QK_HYBRID: fn(j, QK_HYBRID, begin, end); break;             \
      default: fn(j, QK_INT8, begin, end); break;                      \
    }                                                                  \
  }
ROWS_FOR_KIND(conv_rows)

/* CONV_2D, int8 input and weights (int8 and hybrid kinds) with wsum: the
 * same sums as conv_rows, per output pixel in blocks of output channels:
 * for each valid tap, q->dots adds the int8 dot products of the tap's
 * input channels with every channel's weights, then zp * wsum comes off.
 * Sums are int32 as in TFLite (prepare bounds f_c). */
static void conv_rows_s8_worker(void *arg, int64_t begin, int64_t end) {
  const qconv_job *j = arg;
  const qconv *q = j->q;
  const bool hybrid = q->kind == QK_HYBRID;
  const int8_t *in = hybrid ? j->qin : (const int8_t *)j->in;
  const int8_t *w = j->w;
  const int32_t ocpg = q->out_c / q->groups, f_c = q->f_c;
  const int32_t taps = q->f_h * q->f_w;
  const size_t stride = (size_t)taps * (size_t)f_c; /* between channels */
  int32_t acc[S8_BLOCK];
  for (int64_t row = begin; row < end; row++) {
    const int32_t b = (int32_t)(row / q->out_h), oy = (int32_t)(row % q->out_h);
    const int32_t iy0 = oy * q->stride_h - q->pad_h;
    const int32_t zp = hybrid ? j->in_zp[b] : q->in_zp;
    for (int32_t ox = 0; ox < q->out_w; ox++) {
      const int32_t ix0 = ox * q->stride_w - q->pad_w;
      const int64_t o = ((row * q->out_w) + ox) * (int64_t)q->out_c;
      for (int32_t oc0 = 0; oc0 < q->out_c; oc0 += S8_BLOCK) {
        const int32_t n =
            q->out_c - oc0 < S8_BLOCK ? q->out_c - oc0 : S8_BLOCK;
        memset(acc, 0, sizeof(int32_t) * (size_t)n);
        for (int32_t oc = oc0; oc < oc0 + n;) {
          const int32_t g = oc / ocpg;
          const int32_t g_end = (g + 1) * ocpg < oc0 + n ? (g + 1) * ocpg
                                                         : oc0 + n;
          const int32_t cnt = g_end - oc;
          int32_t *a = acc + (oc - oc0);
          for (int32_t ky = 0; ky < q->f_h; ky++) {
            const int32_t iy = iy0 + ky * q->dil_h;
            if (iy < 0 || iy >= q->in_h) continue;
            for (int32_t kx = 0; kx < q->f_w; kx++) {
              const int32_t ix = ix0 + kx * q->dil_w;
              if (ix < 0 || ix >= q->in_w) continue;
              const int8_t *xp = in +
                                 (((int64_t)b * q->in_h + iy) * q->in_w + ix) *
                                     q->in_c +
                                 (int64_t)g * f_c;
              const int32_t tap = ky * q->f_w + kx;
              q->dots(xp, w + (size_t)oc * stride + (size_t)tap * f_c,
                      (size_t)f_c, (size_t)cnt, stride, a);
              if (zp) {
                const int32_t *ws = q->wsum + (int64_t)oc * taps + tap;
                for (int32_t i = 0; i < cnt; i++) a[i] -= zp * ws[i * taps];
              }
            }
          }
          oc = g_end;
        }
        if (!hybrid) {
          requant_s8(q, acc, n, oc0, j->bias, (int8_t *)j->out + o + oc0);
          continue;
        }
        for (int32_t i = 0; i < n; i++)
          store_hybrid(q, j, o + oc0 + i, acc[i], oc0 + i, b);
      }
    }
  }
}

/* Pointwise CONV_2D (q->gemm): pixels [begin, end) of batch * h * w, four
 * at a time against blocks of output channels. Same sums as conv_rows. */
static void conv_pointwise_s8_worker(void *arg, int64_t begin, int64_t end) {
  const qconv_job *j = arg;
  const qconv *q = j->q;
  const bool hybrid = q->kind == QK_HYBRID;
  const int8_t *in = hybrid ? j->qin : (const int8_t *)j->in;
  const int8_t *w = j->w;
  const int64_t hw = (int64_t)q->out_h * q->out_w;
  const size_t k = (size_t)q->in_c;
  int32_t acc[4 * S8_BLOCK];
  for (int64_t p0 = begin; p0 < end; p0 += 4) {
    const int32_t m = end - p0 < 4 ? (int32_t)(end - p0) : 4;
    for (int32_t oc0 = 0; oc0 < q->out_c; oc0 += S8_BLOCK) {
      const int32_t n = q->out_c - oc0 < S8_BLOCK ? q->out_c - oc0 : S8_BLOCK;
      q->gemm(in + p0 * (int64_t)k, k, (size_t)m, w + (size_t)oc0 * k, k,
              (size_t)n, k, acc, S8_BLOCK);
      for (int32_t i = 0; i < m; i++) {
        const int64_t p = p0 + i;
        const int32_t b = (int32_t)(p / hw);
        const int32_t zp = hybrid ? j->in_zp[b] : q->in_zp;
        int32_t *a = acc + i * S8_BLOCK;
        if (!hybrid) {
          for (int32_t c = 0; c < n; c++) a[c] -= zp * q->wsum[oc0 + c];
          requant_s8(q, a, n, oc0, j->bias,
                     (int8_t *)j->out + p * q->out_c + oc0);
          continue;
        }
        for (int32_t c = 0; c < n; c++) {
          const int32_t oc = oc0 + c;
          store_hybrid(q, j, p * q->out_c + oc, a[c] - zp * q->wsum[oc], oc,
                       b);
        }
      }
    }
  }
}

/* im2col rows of pixels [begin, end) into j->qin (mutable scratch). */
static void conv_qs8_im2col_worker(void *arg, int64_t begin, int64_t end) {
  const qconv_job *j = arg;
  const qconv *q = j->q;
  const int8_t *in = j->in;
  const size_t ic = (size_t)q->in_c;
  const int64_t hw = (int64_t)q->out_h * q->out_w;
  for (int64_t p = begin; p < end; p++) {
    int8_t *row = (int8_t *)j->qin + p * q->qg_k;
    const int32_t b = (int32_t)(p / hw), oy = (int32_t)(p % hw / q->out_w),
                  ox = (int32_t)(p % q->out_w);
    const int32_t ix0 = ox * q->stride_w - q->pad_w;
    /* whole window rows in one piece when they lie inside the input */
    const bool row_in = q->dil_w == 1 && ix0 >= 0 && ix0 + q->f_w <= q->in_w;
    const size_t win = (size_t)q->f_w * ic;
    for (int32_t ky = 0; ky < q->f_h; ky++) {
      const int32_t iy = oy * q->stride_h - q->pad_h + ky * q->dil_h;
      if (iy < 0 || iy >= q->in_h) {
        memset(row, (int8_t)q->in_zp, win);
        row += win;
        continue;
      }
      const int8_t *src = in + ((int64_t)b * q->in_h + iy) * q->in_w * (int64_t)ic;
      if (row_in) {
        memcpy(row, src + (size_t)ix0 * ic, win);
        row += win;
        continue;
      }
      for (int32_t kx = 0; kx < q->f_w; kx++, row += ic) {
        const int32_t ix = ix0 + kx * q->dil_w;
        if (ix < 0 || ix >= q->in_w)
          memset(row, (int8_t)q->in_zp, ic);
        else
          memcpy(row, src + (size_t)ix * ic, ic);
      }
    }
  }
}

/* Row blocks [begin, end) of the packed GEMM (mr pixels each). */
static void conv_qs8_rowblk_worker(void *arg, int64_t begin, int64_t end) {
  const qconv_job *j = arg;
  const size_t mr = (size_t)j->q->qg->mr, out_c = (size_t)j->q->out_c;
  const size_t r0 = (size_t)begin * mr;
  const size_t r1 = (size_t)end * mr < j->m ? (size_t)end * mr : j->m;
  pnn_qs8_gemm_run(j->q->qg, j->x + r0 * j->x_stride, j->x_stride, r1 - r0,
                   (int8_t *)j->out + r0 * out_c, out_c);
}

/* Tasks [begin, end) of the panel split of the packed GEMM: task t is
 * panel group t / n_tiles (np panels, one microkernel call) over row tile
 * t % n_tiles, panel groups outermost. */
static void conv_qs8_panels_worker(void *arg, int64_t begin, int64_t end) {
  const qconv_job *j = arg;
  const pnn_qs8_gemm *g = j->q->qg;
  const size_t np = (size_t)g->np, panels = pnn_qs8_gemm_panels(g);
  const size_t out_c = (size_t)j->q->out_c;
  if (j->n_tiles == 1) { /* one call: each row block is packed once */
    const size_t p1 = (size_t)end * np < panels ? (size_t)end * np : panels;
    pnn_qs8_gemm_run_panels(g, j->x, j->x_stride, j->m, (size_t)begin * np,
                            p1, (int8_t *)j->out, out_c);
    return;
  }
  for (int64_t t = begin; t < end; t++) {
    const size_t grp = (size_t)t / j->n_tiles, tile = (size_t)t % j->n_tiles;
    const size_t p0 = grp * np, p1 = p0 + np < panels ? p0 + np : panels;
    const size_t r0 = tile * j->tile_rows;
    const size_t r1 = r0 + j->tile_rows < j->m ? r0 + j->tile_rows : j->m;
    pnn_qs8_gemm_run_panels(g, j->x + r0 * j->x_stride, j->x_stride, r1 - r0,
                            p0, p1, (int8_t *)j->out + r0 * out_c, out_c);
  }
}

/* Runs the packed GEMM over threads: rows x[m][x_stride] (pixels) times
 * the packed weights. When the weights (out_c x k) outweigh the rows
 * (m x k), each thread takes a run of column panels, reading only its
 * share of the weights; otherwise runs of whole microkernel row blocks,
 * so that no call gets a partial block (each row block streams all the
 * weights once). Small products run on the calling thread. */
static void qs8_gemm_split(pnn_node *node, qconv_job *j, const int8_t *x,
                           size_t x_stride, size_t m) {
  const pnn_qs8_gemm *g = j->q->qg;
  j->x = x;
  j->x_stride = x_stride;
  j->m = m;
  const size_t mr = (size_t)g->mr, np = (size_t)g->np;
  const size_t groups = (pnn_qs8_gemm_panels(g) + np - 1) / np;
  const size_t blocks = (m + mr - 1) / mr;
  if ((double)m * (double)g->n * (double)g->k < 65536.0) {
    conv_qs8_rowblk_worker(j, 0, (int64_t)blocks);
  } else if (g->n > m && groups >= 2) {
    /* few panel groups: row tiles too, for enough tasks to balance */
    const size_t want = groups >= 8 ? 1 : (8 + groups - 1) / groups;
    j->tile_rows = (blocks + want - 1) / want * mr;
    j->n_tiles = (m + j->tile_rows - 1) / j->tile_rows;
    pnn_node_parallel_for(node, (int64_t)(groups * j->n_tiles),
                          conv_qs8_panels_worker, j);
  } else {
    pnn_node_parallel_for(node, (int64_t)blocks, conv_qs8_rowblk_worker, j);
  }
}

/* int8 DEPTHWISE_CONV_2D on the packed kernel (q->qdw): rows
 * [begin, end) of batch * out_h. */
static void dw_qs8_packed_worker(void *arg, int64_t begin, int64_t end) {
  const qconv_job *j = arg;
  pnn_qs8_dw_run_rows(j->q->qdw, j->in, j->out, begin, end);
}

/* Packs the weights for q->qdw when the depthwise conv qualifies (int8
 * kind, depth multiplier 1, constant weights and bias, a SIMD kernel for
 * the active ISA); otherwise the plain-C rows stay. */
static pnn_status prepare_qs8_dw(pnn_node *node, qconv *q) {
  const pnn_tensor *w = node->inputs[q->w_i];
  const pnn_tensor *b =
      q->bias_i < node->n_inputs ? node->inputs[q->bias_i] : NULL;
  const pnn_isa isa = pnn_isa_active();
  if (q->op != QOP_DW || q->kind != QK_INT8 || q->dm != 1 ||
      !w->is_constant || !w->data || (b && (!b->is_constant || !b->data)) ||
      !pnn_qs8_dw_available(isa))
    return PNN_OK;
  const size_t taps = (size_t)q->f_h * (size_t)q->f_w;
  pnn_qs8_dw d = {.in_h = q->in_h, .in_w = q->in_w, .out_h = q->out_h,
                  .out_w = q->out_w, .f_h = q->f_h, .f_w = q->f_w,
                  .stride_h = q->stride_h, .stride_w = q->stride_w,
                  .dil_h = q->dil_h, .dil_w = q->dil_w, .pad_h = q->pad_h,
                  .pad_w = q->pad_w};
  const size_t bytes = pnn_qs8_dw_bytes(isa, (size_t)q->out_c, taps);
  if (bytes == 0) return PNN_OK; /* filter too large: plain-C rows */
  void *mem = pnn_node_alloc_persistent(node, bytes);
  if (!mem) return oom(node);
  if (!pnn_qs8_dw_init(&d, isa, w->data, (size_t)q->out_c,
                       b ? b->data : NULL, q->in_zp, q->mult, q->shift,
                       q->out_zp, q->lo, q->hi, mem))
    return PNN_OK; /* filter too large for the kernel: plain-C rows */
  q->qdw = pnn_node_alloc_persistent(node, sizeof(*q->qdw));
  if (!q->qdw) return oom(node);
  *q->qdw = d;
  return PNN_OK;
}

/* Packs the weights for q->qg when the conv qualifies (int8 kind, one
 * group, constant weights and bias, int32 sums, im2col at most 64 MB). */
static pnn_status prepare_qs8(pnn_node *node, qconv *q) {
  const pnn_tensor *w = node->inputs[q->w_i];
  const pnn_tensor *b =
      q->bias_i < node->n_inputs ? node->inputs[q->bias_i] : NULL;
  const int64_t k = (int64_t)q->f_h * q->f_w * q->f_c;
  if (q->op != QOP_CONV || q->kind != QK_INT8 || q->groups != 1 ||
      !w->is_constant || !w->data || (b && (!b->is_constant || !b->data)) ||
      k > 65536)
    return PNN_OK;
  q->qg_direct = q->f_h == 1 && q->f_w == 1 && q->stride_h == 1 &&
                 q->stride_w == 1 && q->pad_h == 0 && q->pad_w == 0 &&
                 q->out_h == q->in_h && q->out_w == q->in_w;
  const int64_t pixels = (int64_t)q->batch * q->out_h * q->out_w;
  if (!q->qg_direct && pixels * k > ((int64_t)64 << 20)) return PNN_OK;
  q->qg = pnn_node_alloc_persistent(node, sizeof(*q->qg));
  void *mem = pnn_node_alloc_persistent(
      node, pnn_qs8_gemm_bytes((size_t)q->out_c, (size_t)k));
  if (!q->qg || !mem) return oom(node);
  pnn_qs8_gemm_init(q->qg, pnn_isa_active(), w->data, (size_t)k,
                    (size_t)q->out_c, (size_t)k, b ? b->data : NULL, q->in_zp,
                    q->mult, q->shift, q->out_zp, q->lo, q->hi, mem);
  q->qg_k = k;
  if (q->qg_direct) return PNN_OK;
  return pnn_node_request_scratch(node, (size_t)(pixels * k));
}

/* Tap weight sums for conv_rows_s8 (constant int8 weights only). */
static pnn_status prepare_wsum(pnn_node *node, qconv *q) {
  const pnn_tensor *w = node->inputs[q->w_i];
  if (q->op != QOP_CONV || !w->is_constant || !w->data ||
      (q->kind != QK_INT8 && q->kind != QK_HYBRID) ||
      (int64_t)q->f_c * q->f_h * q->f_w > 65536)
    return PNN_OK; /* int32 sums: 65536 * 128 * 128 = 2^30 */
  q->dots = pnn_s8_dots_pick(pnn_isa_active());
  const int8_t *wd = w->data;
  int64_t taps = (int64_t)q->out_c * q->f_h * q->f_w;
  q->wsum = pnn_node_alloc_persistent(node, sizeof(int32_t) * (size_t)taps);
  if (!q->wsum) return oom(node);
  for (int64_t t = 0; t < taps; t++) {
    int32_t s = 0;
    for (int32_t c = 0; c < q->f_c; c++) s += wd[t * q->f_c + c];
    q->wsum[t] = s;
  }
  if (q->f_h == 1 && q->f_w == 1 && q->stride_h == 1 && q->stride_w == 1 &&
      q->pad_h == 0 && q->pad_w == 0 && q->groups == 1 &&
      q->out_h == q->in_h && q->out_w == q->in_w)
    q->gemm = pnn_s8_gemm_pick(pnn_isa_active());
  return PNN_OK;
}
ROWS_FOR_KIND(dw_rows)
ROWS_FOR_KIND(tconv_rows)

/* ------------------------------------------------------------- prepare */

/* Shared with matmul_q.c (nn_quant.h). */
pnn_status pnn_q_pick_kind(pnn_node *node, const pnn_tensor *in, int in_i,
                           const pnn_tensor *w, int *kind) {
  const pnn_tensor *out = node->outputs[0];
  pnn_type it = in->type, wt = w->type, ot = out->type;
  if (it == PNN_TYPE_INT8 && wt == PNN_TYPE_INT8 && ot == PNN_TYPE_INT8)
    *kind = QK_INT8;
  else if (it == PNN_TYPE_UINT8 && wt == PNN_TYPE_UINT8 &&
           ot == PNN_TYPE_UINT8)
    *kind = QK_UINT8;
  else if (it == PNN_TYPE_INT16 && wt == PNN_TYPE_INT8 &&
           ot == PNN_TYPE_INT16)
    *kind = QK_INT16;
  else if (it == PNN_TYPE_FLOAT32 && wt == PNN_TYPE_INT8 &&
           ot == PNN_TYPE_FLOAT32)
    *kind = QK_HYBRID;
  else
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input %d %s, weights %s, output %s: combination "
                          "not supported (int8/int8/int8, uint8/uint8/uint8, "
                          "int16/int8/int16 or float32/int8/float32)",
                          in_i, pnn_type_name(it), pnn_type_name(wt),
                          pnn_type_name(ot));
  return PNN_OK;
}

/* Bias: absent, or [out_c] of int32 (int8/uint8), int32/int64 (16x8),
 * float32 (hybrid). */
static pnn_status check_bias(pnn_node *node, const qconv *q) {
  const pnn_tensor *b;
  pnn_status s = pnn_conv_bias(node, q->bias_i, &q->geom, &b);
  if (s || !b) return s;
  bool ok = q->kind == QK_HYBRID  ? b->type == PNN_TYPE_FLOAT32
            : q->kind == QK_INT16 ? (b->type == PNN_TYPE_INT64 ||
                                     b->type == PNN_TYPE_INT32)
                                  : b->type == PNN_TYPE_INT32;
  if (!ok)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input %d (%s): bias type %s does not fit this "
                          "quantized op",
                          q->bias_i, b->name, pnn_type_name(b->type));
  return PNN_OK;
}

/* Multipliers, zero points, activation range (integer kinds) or channel
 * scales and the input-quantization scheme (hybrid), and scratch. */
static pnn_status finish(pnn_node *node, qconv *q, int act, int w_axis) {
  pnn_tensor *in = node->inputs[q->in_i], *w = node->inputs[q->w_i];
  pnn_tensor *out = node->outputs[0];
  pnn_status s = pnn_qm_check_filter(node, w, w_axis, q->out_c,
                                     q->kind == QK_UINT8);
  if (s || (s = check_bias(node, q))) return s;
  if (q->kind == QK_UINT8 && w->quant && w->quant->n_scale > 1)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "filter (%s): uint8 weights must be per-tensor",
                          w->name);
  q->f_zp = q->kind == QK_UINT8 ? w->zero_point : 0;
  q->dw_tap = pnn_s8_dw_tap_pick(pnn_isa_active());
  if (q->kind == QK_HYBRID) {
    if (!pnn_activation_supported(act))
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "fused activation %d not supported", act);
    q->act = act;
    q->w_scale = pnn_node_alloc_persistent(node, sizeof(float) * q->out_c);
    if (!q->w_scale) return oom(node);
    bool differ = false;
    for (int32_t c = 0; c < q->out_c; c++) {
      q->w_scale[c] = pnn_qm_scale(w, w->quant && w->quant->n_scale > 1 ? c : 0);
      if (q->w_scale[c] != q->w_scale[0]) differ = true;
    }
    /* TFLite: CONV_2D uses its per-tensor (symmetric) hybrid path unless
     * channel scales differ or the conv is grouped; DEPTHWISE and
     * TRANSPOSE_CONV always the per-channel (asymmetric) one (checked
     * against LiteRT: symmetric input quantization is off by 4%). */
    q->hybrid_per_channel = q->op != QOP_CONV || differ || q->groups != 1;
    q->hybrid_asym = q->hybrid_per_channel;
    q->in_count = pnn_tensor_count(in);
    if ((s = prepare_wsum(node, q))) return s;
    size_t bytes = (size_t)q->in_count + 16 +
                   (sizeof(float) + sizeof(int32_t)) * (size_t)q->batch;
    return pnn_node_request_scratch(node, bytes);
  }
  if (q->kind == QK_INT16 && (in->zero_point != 0 || out->zero_point != 0))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "16x8: input and output zero points must be 0, "
                          "got %d and %d",
                          (int)in->zero_point, (int)out->zero_point);
  q->in_zp = in->zero_point;
  q->out_zp = out->zero_point;
  int32_t tlo, thi;
  pnn_qm_type_range(in->type, &tlo, &thi);
  if (q->in_zp < tlo || q->in_zp > thi || q->out_zp < tlo || q->out_zp > thi)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "zero points %d (input) / %d (output) outside the "
                          "%s range",
                          (int)q->in_zp, (int)q->out_zp,
                          pnn_type_name(in->type));
  q->mult = pnn_node_alloc_persistent(node, sizeof(int32_t) * q->out_c);
  q->shift = pnn_node_alloc_persistent(node, sizeof(int) * q->out_c);
  if (!q->mult || !q->shift) return oom(node);
  s = pnn_qm_conv_multipliers(node, in, w, out, q->out_c, q->mult, q->shift);
  q->requant = pnn_s8_requant_pick(pnn_isa_active());
  if (!s) s = pnn_qm_activation_range(node, act, out, &q->lo, &q->hi);
  if (!s) s = prepare_qs8(node, q);
  if (!s && !q->qg) s = prepare_wsum(node, q); /* the packed GEMM has its own */
  if (!s) s = prepare_qs8_dw(node, q);
  return s;
}

static pnn_status resize_out(pnn_node *node, const qconv *q) {
  pnn_type t = q->kind == QK_HYBRID ? PNN_TYPE_FLOAT32 : node->outputs[0]->type;
  return pnn_conv_resize_output(node, &q->geom, t);
}

/* Copies the prepared q into the node state and sizes the output. */
static pnn_status keep_state(pnn_node *node, const qconv *q) {
  qconv *p = pnn_node_alloc_persistent(node, sizeof(*p));
  if (!p) return oom(node);
  *p = *q;
  node->state = p;
  return resize_out(node, p);
}

/* The geometry (conv_geom.c), the kind, then finish with the fused
 * activation `act` and the filter's channel axis `w_axis`. */
static pnn_status q_prepare(pnn_node *node, qconv q, pnn_conv_geom_fn geom,
                            int act, int w_axis) {
  pnn_tensor *in, *w;
  pnn_status s = geom(node, &in, &w, &q.geom);
  if (!s) s = pnn_q_pick_kind(node, in, q.in_i, w, &q.kind);
  if (!s) s = finish(node, &q, act, w_axis);
  return s ? s : keep_state(node, &q);
}

pnn_status pnn_q_conv2d_prepare(pnn_node *node) {
  qconv q = {.op = QOP_CONV, .in_i = 0, .w_i = 1, .bias_i = 2};
  return q_prepare(node, q, pnn_conv2d_geom,
                   node->options->conv2d.fused_activation_function, 0);
}

pnn_status pnn_q_depthwise_prepare(pnn_node *node) {
  qconv q = {.op = QOP_DW, .in_i = 0, .w_i = 1, .bias_i = 2};
  return q_prepare(node, q, pnn_depthwise_geom,
                   node->options->depthwise_conv2d.fused_activation_function,
                   3);
}

pnn_status pnn_q_transpose_conv_prepare(pnn_node *node) {
  qconv q = {.op = QOP_TCONV, .in_i = 2, .w_i = 1, .bias_i = 3};
  return q_prepare(node, q, pnn_transpose_conv_geom,
                   node->options->transpose_conv.fused_activation_function, 0);
}

/* ---------------------------------------------------------------- eval */

pnn_status pnn_q_conv_eval(pnn_node *node) {
  const qconv *q = node->state;
  const pnn_tensor *bias =
      q->bias_i < node->n_inputs ? node->inputs[q->bias_i] : NULL;
  qconv_job j = {
      .q = q,
      .in = node->inputs[q->in_i]->data,
      .w = node->inputs[q->w_i]->data,
      .bias = bias ? bias->data : NULL,
      .bias64 = bias && bias->type == PNN_TYPE_INT64,
      .out = node->outputs[0]->data,
  };
  if (q->kind == QK_HYBRID) {
    /* scratch: per-batch scales, zero points, then the quantized input */
    float *sf = node->scratch;
    int32_t *zp = (int32_t *)(sf + q->batch);
    int8_t *qin = (int8_t *)(zp + q->batch);
    const int64_t per = q->batch > 0 ? q->in_count / q->batch : 0;
    const float *x = j.in;
    for (int32_t b = 0; b < q->batch; b++) {
      if (q->hybrid_asym) {
        pnn_qm_asymmetric_quantize(x + b * per, per, qin + b * per, &sf[b],
                                   &zp[b]);
      } else {
        sf[b] = pnn_qm_symmetric_quantize(x + b * per, per, qin + b * per);
        zp[b] = 0;
      }
    }
    j.qin = qin;
    j.in_scale = sf;
    j.in_zp = zp;
  }
  int64_t rows = (int64_t)q->batch * q->out_h;
  if (rows <= 0 || q->out_w <= 0 || q->out_c <= 0) return PNN_OK;
  if (q->qdw) {
    pnn_node_parallel_for(node, rows, dw_qs8_packed_worker, &j);
    return PNN_OK;
  }
  if (q->qg) {
    const int64_t pixels = rows * q->out_w;
    if (q->qg_direct) {
      qs8_gemm_split(node, &j, j.in, (size_t)q->in_c, (size_t)pixels);
      return PNN_OK;
    }
    j.qin = node->scratch;
    pnn_node_parallel_for(node, pixels, conv_qs8_im2col_worker, &j);
    qs8_gemm_split(node, &j, j.qin, (size_t)q->qg_k, (size_t)pixels);
    return PNN_OK;
  }
  if (q->gemm) {
    /* over pixels: each chunk takes its pixels four at a time */
    pnn_node_parallel_for(node, rows * q->out_w, conv_pointwise_s8_worker, &j);
    return PNN_OK;
  }
  const bool s8 = q->kind == QK_INT8 || q->kind == QK_HYBRID;
  pnn_range_fn fn = q->op == QOP_DW && s8 ? dw_rows_s8_worker
                    : q->op == QOP_DW      ? dw_rows_worker
                    : q->op == QOP_TCONV ? tconv_rows_worker
                    : q->wsum            ? conv_rows_s8_worker
                                         : conv_rows_worker;
  pnn_node_parallel_for(node, rows, fn, &j);
  return PNN_OK;
}
