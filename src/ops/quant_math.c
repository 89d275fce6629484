/* Quantization arithmetic shared by every quantized kernel (see
 * quant_math.h for the contract and TFLite's spec it follows). */
#include "ops/quant_math.h"

#include <string.h>

void pnn_qm_quantize_multiplier(double real, int32_t *q, int *shift) {
  *q = 0;
  *shift = 0;
  if (real == 0.0 || !isfinite(real)) return;
  int e = 0;
  double frac = frexp(real, &e); /* real = frac * 2^e, |frac| in [0.5, 1) */
  /* TfLiteRound = std::round: half away from zero. */
  int64_t qf = (int64_t)round(frac * (double)(1ll << 31));
  if (qf == (1ll << 31)) { /* frac rounded up to 1.0 */
    qf /= 2;
    e++;
  }
  if (e < -31) { /* every bit would be shifted out: flush to zero */
    e = 0;
    qf = 0;
  }
  *q = (int32_t)qf;
  *shift = e;
}

bool pnn_qm_quantize_multiplier_smaller_than_one(double real, int32_t *q,
                                                 int *shift) {
  pnn_qm_quantize_multiplier(real, q, shift);
  return real >= 0.0 && real < 1.0 && *shift <= 0;
}

bool pnn_qm_quantize_multiplier_greater_than_one(double real, int32_t *q,
                                                 int *shift) {
  pnn_qm_quantize_multiplier(real, q, shift);
  return real > 1.0 && *shift >= 0;
}

pnn_status pnn_qm_multiplier(pnn_node *node, double real, int max_shift,
                             const char *what, int32_t *q, int *shift) {
  *q = 0;
  *shift = 0;
  if (!(real > 0.0) || !isfinite(real))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "%s: scale ratio %g is not a finite positive "
                          "number",
                          what ? what : "scales", real);
  pnn_qm_quantize_multiplier(real, q, shift);
  if (*shift > max_shift) {
    const int need = *shift;
    *q = 0;
    *shift = 0;
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "%s: scale ratio %g is too large (needs a left "
                          "shift of %d bits, at most %d)",
                          what ? what : "scales", real, need, max_shift);
  }
  return PNN_OK;
}

bool pnn_qm_type_range(pnn_type type, int32_t *lo, int32_t *hi) {
  switch (type) {
    case PNN_TYPE_INT8: *lo = -128; *hi = 127; return true;
    case PNN_TYPE_UINT8: *lo = 0; *hi = 255; return true;
    case PNN_TYPE_INT16: *lo = -32768; *hi = 32767; return true;
    case PNN_TYPE_INT32: *lo = INT32_MIN; *hi = INT32_MAX; return true;
    default: *lo = 0; *hi = 0; return false;
  }
}

float pnn_qm_scale(const pnn_tensor *t, int64_t c) {
  const pnn_quant_def *q = t->quant;
  if (q && q->n_scale > 1 && c >= 0 && c < q->n_scale) return q->scale[c];
  if (t->scale > 0) return t->scale;
  return q && q->n_scale > 0 ? q->scale[0] : 0.f;
}

int32_t pnn_qm_zero_point(const pnn_tensor *t, int64_t c) {
  const pnn_quant_def *q = t->quant;
  if (q && q->n_zero_point > 1 && c >= 0 && c < q->n_zero_point)
    return (int32_t)q->zero_point[c];
  return t->zero_point;
}

pnn_status pnn_qm_require_scale(pnn_node *node, const pnn_tensor *t,
                                const char *what) {
  float s = pnn_qm_scale(t, 0);
  if (s > 0 && isfinite(s)) return PNN_OK;
  return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                        "%s (%s): %s tensor needs a positive quantization "
                        "scale",
                        what, t->name, pnn_type_name(t->type));
}

pnn_status pnn_qm_check_filter(pnn_node *node, const pnn_tensor *filter,
                               int axis, int64_t channels,
                               bool allow_zero_point) {
  const pnn_quant_def *q = filter->quant;
  int32_t n = q ? q->n_scale : 0;
  if (n == 0 && filter->scale > 0) n = 1;
  if (n == 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "filter (%s): %s weights without quantization scale",
                          filter->name, pnn_type_name(filter->type));
  if (n != 1) {
    if (n != channels || q->quantized_dimension != axis)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "filter (%s): %d scales on quantized_dimension "
                            "%d, expected 1 or %lld on dimension %d",
                            filter->name, (int)n, (int)q->quantized_dimension,
                            (long long)channels, axis);
  }
  for (int32_t c = 0; c < n; c++) {
    float s = pnn_qm_scale(filter, c);
    if (!(s > 0) || !isfinite(s))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "filter (%s): scale %d is not positive",
                            filter->name, (int)c);
  }
  if (!allow_zero_point) {
    int32_t nz = q ? q->n_zero_point : 0;
    for (int32_t c = 0; c < nz; c++)
      if (q->zero_point[c] != 0)
        return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                              "filter (%s): zero point %lld at channel %d; "
                              "%s weights must be symmetric",
                              filter->name, (long long)q->zero_point[c],
                              (int)c, pnn_type_name(filter->type));
  }
  return PNN_OK;
}

/* The effective scale in_scale * filter_scale[c] / out_scale of each of
 * `channels` output channels (filter per-tensor or per-channel) into
 * scale[c] when scale is given, and as a multiplier and shift into
 * mult[c], shift[c] when mult is given. */
static pnn_status effective_scales(pnn_node *node, const pnn_tensor *in,
                                   const pnn_tensor *filter,
                                   const pnn_tensor *out, int64_t channels,
                                   double *scale, int32_t *mult, int *shift) {
  pnn_status s;
  if ((s = pnn_qm_require_scale(node, in, "input")) ||
      (s = pnn_qm_require_scale(node, out, "output")))
    return s;
  const pnn_quant_def *q = filter->quant;
  bool per_channel = q && q->n_scale > 1;
  double in_scale = pnn_qm_scale(in, 0), out_scale = pnn_qm_scale(out, 0);
  for (int64_t c = 0; c < channels; c++) {
    double real = in_scale *
                  (double)pnn_qm_scale(filter, per_channel ? c : 0) /
                  out_scale;
    if (scale) scale[c] = real;
    if (!mult) continue;
    pnn_qm_quantize_multiplier(real, &mult[c], &shift[c]);
    /* TFLite's kernels assume shifts within int32 reach. */
    if (shift[c] > 31)
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "channel %lld: effective scale %g too large",
                            (long long)c, real);
  }
  return PNN_OK;
}

pnn_status pnn_qm_conv_multipliers(pnn_node *node, const pnn_tensor *in,
                                   const pnn_tensor *filter,
                                   const pnn_tensor *out, int64_t channels,
                                   int32_t *mult, int *shift) {
  return effective_scales(node, in, filter, out, channels, NULL, mult, shift);
}

pnn_status pnn_qm_fc_scales(pnn_node *node, const pnn_tensor *in,
                            const pnn_tensor *filter, const pnn_tensor *out,
                            int64_t channels, double *scale) {
  return effective_scales(node, in, filter, out, channels, scale, NULL, NULL);
}

pnn_status pnn_qm_activation_range(pnn_node *node, int act,
                                   const pnn_tensor *out, int32_t *lo,
                                   int32_t *hi) {
  if (!pnn_qm_type_range(out->type, lo, hi))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "output (%s): type %s is not a quantized type",
                          out->name, pnn_type_name(out->type));
  float scale = pnn_qm_scale(out, 0);
  int32_t zp = out->zero_point;
  float f_lo, f_hi;
  switch (act) {
    case 0: return PNN_OK;
    case 1: f_lo = 0.f; f_hi = INFINITY; break;   /* RELU */
    case 2: f_lo = -1.f; f_hi = 1.f; break;       /* RELU_N1_TO_1 */
    case 3: f_lo = 0.f; f_hi = 6.f; break;        /* RELU6 */
    default:
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "fused activation %d not supported on quantized "
                            "output",
                            act);
  }
  if (!(scale > 0))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output (%s) has no quantization scale", out->name);
  /* zp + (int32)round(f / scale) in float, as TFLite, saturated. */
  int64_t ql = pnn_qm_quantize_bound(f_lo, scale, zp);
  if (ql > *lo) *lo = ql > *hi ? *hi : (int32_t)ql;
  if (isfinite(f_hi)) {
    int64_t qh = pnn_qm_quantize_bound(f_hi, scale, zp);
    if (qh < *hi) *hi = qh < *lo ? *lo : (int32_t)qh;
  }
  return PNN_OK;
}

/* LiteRT's x86 build runs TFLite's NEON tensor utils through NEON_2_SSE
 * (checked bit for bit against ai-edge-litert on probe models): the
 * product p = x * inv is rounded as trunc(p + (p < 0 ? -0.5f : 0.5f)) in
 * float for whole blocks of 8 elements, so 0.49999997 rounds to 1, and
 * with roundf (half away from zero) for the last n % 8. */
static inline int32_t hybrid_round(float p, bool blocked) {
  float r = blocked ? truncf(p + (p < 0.f ? -0.5f : 0.5f)) : roundf(p);
  if (!(r == r) || r < -1024.f) return -1024; /* NaN: clamped away */
  return r > 1024.f ? 1024 : (int32_t)r;
}

float pnn_qm_symmetric_quantize(const float *x, int64_t n, int8_t *q) {
  float mn = 0.f, mx = 0.f;
  if (n > 0) mn = mx = x[0];
  for (int64_t i = 1; i < n; i++) {
    if (x[i] < mn) mn = x[i];
    if (x[i] > mx) mx = x[i];
  }
  float range = fabsf(mn) > fabsf(mx) ? fabsf(mn) : fabsf(mx);
  if (range == 0.f) {
    if (n > 0) memset(q, 0, (size_t)n);
    return 1.f;
  }
  const float inv = 127.f / range;
  const int64_t blocked = n & ~(int64_t)7;
  for (int64_t i = 0; i < n; i++) {
    int32_t v = hybrid_round(x[i] * inv, i < blocked);
    q[i] = (int8_t)(v > 127 ? 127 : (v < -127 ? -127 : v));
  }
  return range / 127.f;
}

void pnn_qm_asymmetric_quantize(const float *x, int64_t n, int8_t *q,
                                float *scale_out, int32_t *zp_out) {
  float mn = 0.f, mx = 0.f;
  for (int64_t i = 0; i < n; i++) {
    if (x[i] < mn) mn = x[i];
    if (x[i] > mx) mx = x[i];
  }
  double rmin = mn, rmax = mx;
  if (rmin == rmax) {
    if (n > 0) memset(q, 0, (size_t)n);
    *scale_out = 1.f;
    *zp_out = 0;
    return;
  }
  const double qmin = -128.0, qmax = 127.0;
  /* max - min in float, as the NEON path computes it */
  double scale = (double)(mx - mn) / (qmax - qmin);
  double zp_from_min = qmin - rmin / scale;
  double zp_from_max = qmax - rmax / scale;
  double err_min = fabs(qmin) + fabs(rmin / scale);
  double err_max = fabs(qmax) + fabs(rmax / scale);
  double zp_d = err_min < err_max ? zp_from_min : zp_from_max;
  int32_t zp;
  if (zp_d <= qmin) zp = -128;
  else if (zp_d >= qmax) zp = 127;
  else zp = (int32_t)round(zp_d);
  float fscale = (float)scale;
  *scale_out = fscale;
  *zp_out = zp;
  const float inv = (float)(1.0 / (double)fscale);
  const int64_t blocked = n & ~(int64_t)7;
  for (int64_t i = 0; i < n; i++) {
    /* round(x * inv) + zp: the zero point is added after rounding */
    int32_t v = hybrid_round(x[i] * inv, i < blocked) + zp;
    q[i] = (int8_t)(v > 127 ? 127 : (v < -128 ? -128 : v));
  }
}
