/* Deterministic pseudo-random numbers for the randomized tests: one
 * linear congruential stream per test binary. The test file seeds it by
 * defining the state after its includes:
 *   static unsigned g_seed = 4242;
 * (this header's declaration is a tentative definition of that same
 * variable), then draws with rnd_int(lo, hi) and rnd_bits(). */
#ifndef PNN_TESTS_TEST_RAND_H
#define PNN_TESTS_TEST_RAND_H

#include <stddef.h>

static unsigned g_seed;

/* The next 24 random bits. */
static inline unsigned rnd_bits(void) {
  g_seed = g_seed * 1103515245u + 12345u;
  return (g_seed >> 8) & 0xffffff;
}

/* An integer in [lo, hi]. */
static inline int rnd_int(int lo, int hi) {
  return lo + (int)(rnd_bits() % (unsigned)(hi - lo + 1));
}

/* A float in [-1, 1]. */
static inline float rnd_unit(void) {
  return (float)rnd_bits() / (float)0xffffff * 2.f - 1.f;
}

/* p[0..n) = rnd_unit(). */
static inline void rnd_fill(float *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = rnd_unit();
}

/* An int8 zero point, often at an extreme or 0: -128, 127, 0 or any, in
 * equal parts. */
static inline int rnd_zp8(void) {
  switch (rnd_int(0, 3)) {
    case 0: return -128;
    case 1: return 127;
    case 2: return 0;
    default: return rnd_int(-128, 127);
  }
}

#endif
