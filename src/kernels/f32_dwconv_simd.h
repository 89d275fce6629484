/* The SIMD depthwise rows, written once over a vector abstraction and
 * included by f32_dwconv_avx2.c / f32_dwconv_avx512.c, which define:
 *   V, VL (floats per vector), VZERO(), VLOAD(p), VLOADN(p, n) (first n
 *   lanes, rest 0), VSTORE(p, v), VSTOREN(p, v, n), VFMA(a, b, c) = a*b+c,
 *   VADD, VMAX, VMIN, VSET1(x), and FN (the exported function name).
 * Not a standalone header. */

/* Interior pixels [ox, ox + P) of one output row: every column tap in
 * bounds, filter rows [KY0, KY1) in bounds (0, FH except in the top and
 * bottom rows, where the rows outside the image are skipped as the
 * reference skips them). */
static inline __attribute__((always_inline)) void dw_interior(
    const pnn_f32_dwconv *d, const float *in_b, int32_t iy0, int32_t ox,
    float *o, const int P, const int KY0, const int KY1, const int FW) {
  const int32_t C = d->c, cpad = d->cpad;
  const int64_t sx = (int64_t)d->stride_w * C, dx = (int64_t)d->dil_w * C;
  const int64_t ix0 = (int64_t)ox * d->stride_w - d->pad_w;
  const V vlo = VSET1(d->lo), vhi = VSET1(d->hi);
  for (int32_t c = 0; c < C; c += VL) {
    V acc[4];
PNN_UNROLL
    for (int p = 0; p < P; p++) acc[p] = VZERO();
    const float *wc = d->w + c;
    if (c + VL <= C) {
PNN_UNROLL_TAPS
      for (int ky = KY0; ky < KY1; ky++)
PNN_UNROLL_TAPS
        for (int kx = 0; kx < FW; kx++) {
          const V w = VLOAD(wc + (ky * FW + kx) * (int64_t)cpad);
          const float *x =
              in_b + ((int64_t)(iy0 + ky * d->dil_h) * d->in_w + ix0) * C +
              kx * dx + c;
PNN_UNROLL
          for (int p = 0; p < P; p++) acc[p] = VFMA(VLOAD(x + p * sx), w, acc[p]);
        }
    } else {
      const int n = C - c;
PNN_UNROLL_TAPS
      for (int ky = KY0; ky < KY1; ky++)
PNN_UNROLL_TAPS
        for (int kx = 0; kx < FW; kx++) {
          const V w = VLOAD(wc + (ky * FW + kx) * (int64_t)cpad);
          const float *x =
              in_b + ((int64_t)(iy0 + ky * d->dil_h) * d->in_w + ix0) * C +
              kx * dx + c;
PNN_UNROLL
          for (int p = 0; p < P; p++)
            acc[p] = VFMA(VLOADN(x + p * sx, n), w, acc[p]);
        }
    }
    const V b = d->bias ? VLOAD(d->bias + c) : VZERO();
PNN_UNROLL
    for (int p = 0; p < P; p++) {
      V v = d->bias ? VADD(acc[p], b) : acc[p];
      v = VMIN(VMAX(v, vlo), vhi);
      if (c + VL <= C) VSTORE(o + (int64_t)p * C + c, v);
      else VSTOREN(o + (int64_t)p * C + c, v, C - c);
    }
  }
}

/* 3x3, stride 1, dilation_w 1: interior pixels [x_lo, x_hi) of a row,
 * one channel block at a time, sliding a 3x3 window of input vectors along
 * the row: each pixel loads one new column (3 vectors) and reuses the
 * other six and the nine weight vectors from registers. */
static void dw_3x3_s1_slide(const pnn_f32_dwconv *d, const float *in_b,
                            int32_t iy0, int32_t x_lo, int32_t x_hi,
                            float *o_row) {
  const int32_t C = d->c, cpad = d->cpad;
  const int64_t dy = (int64_t)d->dil_h * d->in_w * C;
  const V vlo = VSET1(d->lo), vhi = VSET1(d->hi);
  for (int32_t c = 0; c < C; c += VL) {
    const int n = C - c < VL ? C - c : VL;
#define LD(p) (n == VL ? VLOAD(p) : VLOADN((p), n))
    const float *wc = d->w + c;
    const V w0 = VLOAD(wc), w1 = VLOAD(wc + cpad), w2 = VLOAD(wc + 2 * cpad);
    const V w3 = VLOAD(wc + 3 * cpad), w4 = VLOAD(wc + 4 * cpad);
    const V w5 = VLOAD(wc + 5 * cpad), w6 = VLOAD(wc + 6 * cpad);
    const V w7 = VLOAD(wc + 7 * cpad), w8 = VLOAD(wc + 8 * cpad);
    const V b = d->bias ? VLOAD(d->bias + c) : VZERO();
    const float *r0 = in_b + ((int64_t)iy0 * d->in_w + (x_lo - d->pad_w)) * C + c;
    const float *r1 = r0 + dy, *r2 = r1 + dy;
    V a0 = LD(r0), a1 = LD(r0 + C), b0 = LD(r1), b1 = LD(r1 + C);
    V c0 = LD(r2), c1 = LD(r2 + C);
    r0 += 2 * (int64_t)C;
    r1 += 2 * (int64_t)C;
    r2 += 2 * (int64_t)C;
    float *op = o_row + (int64_t)x_lo * C + c;
    for (int32_t ox = x_lo; ox < x_hi; ox++) {
      const V a2 = LD(r0), b2 = LD(r1), c2 = LD(r2);
      /* Taps in (ky, kx) order from zero, as the reference sums. */
      V acc = VFMA(a0, w0, VZERO());
      acc = VFMA(a1, w1, acc);
      acc = VFMA(a2, w2, acc);
      acc = VFMA(b0, w3, acc);
      acc = VFMA(b1, w4, acc);
      acc = VFMA(b2, w5, acc);
      acc = VFMA(c0, w6, acc);
      acc = VFMA(c1, w7, acc);
      acc = VFMA(c2, w8, acc);
      if (d->bias) acc = VADD(acc, b);
      acc = VMIN(VMAX(acc, vlo), vhi);
      if (n == VL) VSTORE(op, acc);
      else VSTOREN(op, acc, n);
      a0 = a1, a1 = a2, b0 = b1, b1 = b2, c0 = c1, c1 = c2;
      r0 += C, r1 += C, r2 += C, op += C;
    }
#undef LD
  }
}

/* One pixel with bounds checks (borders): the taps inside the image are
 * the rows [ky0, ky1) x columns [kx0, kx1), found once per pixel. */
static void dw_border(const pnn_f32_dwconv *d, const float *in_b, int32_t iy0,
                      int32_t ox, float *o) {
  const int32_t C = d->c, cpad = d->cpad;
  const int32_t ix0 = ox * d->stride_w - d->pad_w;
  const V vlo = VSET1(d->lo), vhi = VSET1(d->hi);
  int32_t ky0 = 0, ky1 = 0, kx0 = 0, kx1 = 0;
  while (ky0 < d->f_h && iy0 + ky0 * d->dil_h < 0) ky0++;
  for (ky1 = ky0; ky1 < d->f_h && iy0 + ky1 * d->dil_h < d->in_h;) ky1++;
  while (kx0 < d->f_w && ix0 + kx0 * d->dil_w < 0) kx0++;
  for (kx1 = kx0; kx1 < d->f_w && ix0 + kx1 * d->dil_w < d->in_w;) kx1++;
  for (int32_t c = 0; c < C; c += VL) {
    const int n = C - c < VL ? C - c : VL;
    V acc = VZERO();
    for (int32_t ky = ky0; ky < ky1; ky++) {
      const float *xr =
          in_b + ((int64_t)(iy0 + ky * d->dil_h) * d->in_w + ix0) * C + c;
      const float *wr = d->w + (int64_t)ky * d->f_w * cpad + c;
      for (int32_t kx = kx0; kx < kx1; kx++) {
        const float *x = xr + (int64_t)kx * d->dil_w * C;
        const V w = VLOAD(wr + (int64_t)kx * cpad);
        acc = VFMA(n == VL ? VLOAD(x) : VLOADN(x, n), w, acc);
      }
    }
    if (d->bias) acc = VADD(acc, VLOAD(d->bias + c));
    acc = VMIN(VMAX(acc, vlo), vhi);
    if (n == VL) VSTORE(o + c, acc);
    else VSTOREN(o + c, acc, n);
  }
}

/* One border pixel of a FH x FW filter (d->zeros set): taps outside the
 * input read d->zeros instead, so every tap runs the same unrolled loop
 * (in (ky, kx) order from zero, as the reference; a zero tap adds +-0,
 * which leaves the sum as it is). */
static inline __attribute__((always_inline)) void dw_edge(
    const pnn_f32_dwconv *d, const float *in_b, int32_t iy0, int32_t ox,
    float *o, const int FH, const int FW) {
  const int32_t C = d->c, cpad = d->cpad;
  const int32_t ix0 = ox * d->stride_w - d->pad_w;
  const float *xp[25];
PNN_UNROLL_TAPS
  for (int ky = 0; ky < FH; ky++) {
    const int32_t iy = iy0 + ky * d->dil_h;
PNN_UNROLL_TAPS
    for (int kx = 0; kx < FW; kx++) {
      const int32_t ix = ix0 + kx * d->dil_w;
      xp[ky * FW + kx] =
          iy >= 0 && iy < d->in_h && ix >= 0 && ix < d->in_w
              ? in_b + ((int64_t)iy * d->in_w + ix) * C
              : d->zeros;
    }
  }
  const V vlo = VSET1(d->lo), vhi = VSET1(d->hi);
  int32_t c = 0;
  for (; c + VL <= C; c += VL) {
    V acc = VZERO();
PNN_UNROLL_TAPS
    for (int t = 0; t < FH * FW; t++)
      acc = VFMA(VLOAD(xp[t] + c), VLOAD(d->w + (int64_t)t * cpad + c), acc);
    if (d->bias) acc = VADD(acc, VLOAD(d->bias + c));
    VSTORE(o + c, VMIN(VMAX(acc, vlo), vhi));
  }
  if (c < C) {
    const int n = C - c;
    V acc = VZERO();
PNN_UNROLL_TAPS
    for (int t = 0; t < FH * FW; t++)
      acc = VFMA(VLOADN(xp[t] + c, n), VLOAD(d->w + (int64_t)t * cpad + c),
                 acc);
    if (d->bias) acc = VADD(acc, VLOAD(d->bias + c));
    VSTOREN(o + c, VMIN(VMAX(acc, vlo), vhi), n);
  }
}

/* One output row: borders checked; the interior by the sliding 3x3 kernel
 * (stride 1) or in groups of 4 pixels sharing each weight vector. */
static inline __attribute__((always_inline)) void dw_row(
    const pnn_f32_dwconv *d, const float *in, float *out, int64_t row,
    const int FH, const int FW, const bool fixed) {
  const int32_t b = (int32_t)(row / d->out_h), oy = (int32_t)(row % d->out_h);
  const int32_t iy0 = oy * d->stride_h - d->pad_h;
  const float *in_b = in + (int64_t)b * d->in_h * d->in_w * d->c;
  float *o_row = out + row * d->out_w * (int64_t)d->c;
  const bool rows_in =
      iy0 >= 0 && iy0 + (int64_t)(d->f_h - 1) * d->dil_h < d->in_h;
  /* Filter rows inside the image: [ky0, ky1). */
  int32_t ky0 = 0, ky1 = d->f_h;
  if (!rows_in) {
    if (iy0 < 0) ky0 = (-iy0 + d->dil_h - 1) / d->dil_h;
    const int64_t top = (int64_t)d->in_h - 1 - iy0; /* max ky * dil_h */
    ky1 = top < 0 ? 0 : (int32_t)(top / d->dil_h + 1);
    if (ky1 > d->f_h) ky1 = d->f_h;
  }
  /* Interior columns: ox with pad_w <= ox*stride and the last tap inside. */
  int32_t x_lo = d->out_w, x_hi = d->out_w;
  if (ky0 < ky1) {
    x_lo = (d->pad_w + d->stride_w - 1) / d->stride_w;
    const int64_t span = (int64_t)(d->f_w - 1) * d->dil_w;
    const int64_t last = d->in_w - 1 - span + d->pad_w; /* max ox*stride */
    x_hi = last < 0 ? 0 : (int32_t)(last / d->stride_w + 1);
    if (x_hi > d->out_w) x_hi = d->out_w;
    if (x_lo > x_hi) x_lo = x_hi = d->out_w;
  }
  int32_t ox = 0;
  const bool edge = fixed && FH * FW <= 25 && d->zeros;
  for (; ox < x_lo; ox++) {
    if (edge) dw_edge(d, in_b, iy0, ox, o_row + (int64_t)ox * d->c, FH, FW);
    else dw_border(d, in_b, iy0, ox, o_row + (int64_t)ox * d->c);
  }
  if (FH == 3 && FW == 3 && fixed && rows_in && d->stride_w == 1 &&
      d->dil_w == 1 && ox < x_hi) {
    dw_3x3_s1_slide(d, in_b, iy0, ox, x_hi, o_row);
    ox = x_hi;
  }
  if (rows_in) {
    for (; ox + 4 <= x_hi; ox += 4)
      dw_interior(d, in_b, iy0, ox, o_row + (int64_t)ox * d->c, 4, 0, FH, FW);
    for (; ox < x_hi; ox++)
      dw_interior(d, in_b, iy0, ox, o_row + (int64_t)ox * d->c, 1, 0, FH, FW);
  } else { /* top / bottom rows: only the filter rows inside */
    for (; ox + 4 <= x_hi; ox += 4)
      dw_interior(d, in_b, iy0, ox, o_row + (int64_t)ox * d->c, 4, ky0, ky1,
                  FW);
    for (; ox < x_hi; ox++)
      dw_interior(d, in_b, iy0, ox, o_row + (int64_t)ox * d->c, 1, ky0, ky1,
                  FW);
  }
  for (; ox < d->out_w; ox++) {
    if (edge) dw_edge(d, in_b, iy0, ox, o_row + (int64_t)ox * d->c, FH, FW);
    else dw_border(d, in_b, iy0, ox, o_row + (int64_t)ox * d->c);
  }
}

static void dw_rows_3x3(const pnn_f32_dwconv *d, const float *in, float *out,
                        int64_t begin, int64_t end) {
  for (int64_t r = begin; r < end; r++) dw_row(d, in, out, r, 3, 3, true);
}
static void dw_rows_5x5(const pnn_f32_dwconv *d, const float *in, float *out,
                        int64_t begin, int64_t end) {
  for (int64_t r = begin; r < end; r++) dw_row(d, in, out, r, 5, 5, true);
}
static void dw_rows_1x1(const pnn_f32_dwconv *d, const float *in, float *out,
                        int64_t begin, int64_t end) {
  for (int64_t r = begin; r < end; r++) dw_row(d, in, out, r, 1, 1, true);
}
static void dw_rows_any(const pnn_f32_dwconv *d, const float *in, float *out,
                        int64_t begin, int64_t end) {
  for (int64_t r = begin; r < end; r++) dw_row(d, in, out, r, d->f_h, d->f_w, false);
}

void FN(const pnn_f32_dwconv *d, const float *in, float *out, int64_t begin,
        int64_t end) {
  if (d->f_h == 3 && d->f_w == 3) dw_rows_3x3(d, in, out, begin, end);
  else if (d->f_h == 5 && d->f_w == 5) dw_rows_5x5(d, in, out, begin, end);
  else if (d->f_h == 1 && d->f_w == 1) dw_rows_1x1(d, in, out, begin, end);
  else dw_rows_any(d, in, out, begin, end);
}
