/* Lookup tables of quantized pointwise functions, computed at prepare the
 * way TFLite's LUTPopulate does (common.h), in float:
 *   8 bits:  for every input value v, round(f(in_scale * (v - in_zp)) /
 *            out_scale) + out_zp, clamped; a table of 256 indexed by the
 *            input's byte.
 *   int16:   513 samples of f over the input's representable range with a
 *            bias that centres each interval's interpolation error; eval
 *            interpolates between neighbours (pnn_lut16_lookup).
 * Used by the activation (LOGISTIC, TANH, ELU, GELU) and unary (EXP, LOG,
 * RSQRT) families. */
#ifndef PNN_OPS_LUT_H
#define PNN_OPS_LUT_H

#include <math.h>
#include <stdint.h>

#include "ops/quant_math.h"

typedef float (*pnn_lut_fn)(float x, const void *params);

/* 256-entry table for an int8 or uint8 input/output pair. */
static inline void pnn_lut8_populate(pnn_type type, float in_scale,
                                     int32_t in_zp, float out_scale,
                                     int32_t out_zp, pnn_lut_fn fn,
                                     const void *params, uint8_t *lut) {
  int32_t lo, hi;
  pnn_qm_type_range(type, &lo, &hi);
  const float inverse_scale = 1.f / out_scale;
  for (int32_t v = lo; v <= hi; v++) {
    const float deq = in_scale * (float)(v - in_zp);
    const float t = fn(deq, params);
    const float r = roundf(t * inverse_scale) + (float)out_zp;
    int32_t q;
    if (!(r == r)) q = lo;
    else q = r < (float)lo ? lo : (r > (float)hi ? hi : (int32_t)r);
    lut[(uint8_t)v] = (uint8_t)q;
  }
}

static inline int16_t pnn_lut16_clamp(float v) {
  if (!(v == v)) return 0; /* NaN from degenerate scales: no UB cast */
  return (int16_t)(v < -32768.f ? -32768.f : (v > 32767.f ? 32767.f : v));
}

/* 513-entry interpolated table for an int16 input/output pair. */
static inline void pnn_lut16_populate(float in_scale, int32_t in_zp,
                                      float out_scale, int32_t out_zp,
                                      pnn_lut_fn fn, const void *params,
                                      int16_t *lut) {
  const float in_min = in_scale * (float)(-32768 - in_zp);
  const float in_max = in_scale * (float)(32767 - in_zp);
  const float out_min = out_scale * (float)(-32768 - out_zp);
  const float out_max = out_scale * (float)(32767 - out_zp);
  const int steps = 512;
  const float step = (in_max - in_min) / (float)steps;
  const float half = step / 2;
  const float inv = 65536.f / (out_max - out_min);
  for (int i = 0; i < steps; i++) {
    const float val = fn(in_min + (float)i * step, params);
    const float mid_v = fn(in_min + (float)i * step + half, params);
    const float next = fn(in_min + (float)(i + 1) * step, params);
    const float sample = roundf(val * inv);
    const float mid_interp = roundf((next * inv + roundf(val * inv)) / 2);
    const float mid = roundf(mid_v * inv);
    const float bias = roundf((mid_interp - mid) / 2);
    lut[i] = pnn_lut16_clamp(sample - bias);
  }
  lut[steps] = pnn_lut16_clamp(roundf(fn(in_max, params) * inv));
}

/* TFLite's interpolated lookup in a 513-entry int16 table. */
static inline int16_t pnn_lut16_lookup(int16_t v, const int16_t *lut) {
  const int index = 256 + (v >> 7);
  const int32_t offset = v & 0x7f;
  const int32_t base = lut[index];
  const int32_t slope = lut[index + 1] - lut[index];
  const int32_t delta = (slope * offset + 64) >> 7;
  return (int16_t)(base + delta);
}

/* The 256-entry table (indexed by the input byte) a prepared int8/uint8
 * activation node (LOGISTIC, TANH, HARD_SWISH, ... : activation.c) applies;
 * false if `node` is not such a node or computes element by element (the
 * scalar level's fixed-point activations). For prepare-time fusion of an
 * op whose operand is f(x) with x its other operand. */
bool pnn_act8_table(const pnn_node *node, uint8_t *table);

#endif
