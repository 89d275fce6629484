/* CPU feature probe and the instruction-set level kernels are picked for.
 *
 * The host is probed once (cpuid + xgetbv on x86-64, getauxval on
 * aarch64). The active level is the best the host supports, lowered by the
 * environment variable PNN_ISA=scalar|avx2|avx512|neon (read once), or forced by
 * pnn_isa_force() (tests and benchmarks walk every level this way). Ops read
 * pnn_isa_active() at prepare and keep the kernels they picked. */
#ifndef PNN_KERNELS_CPU_H
#define PNN_KERNELS_CPU_H

#include <stdbool.h>

typedef enum pnn_isa {
  PNN_ISA_SCALAR = 0, /* plain C, any CPU */
  PNN_ISA_AVX2 = 1,   /* AVX2 + FMA */
  PNN_ISA_AVX512 = 2, /* AVX-512 F/BW/DQ/VL (+VNNI noted separately) */
  PNN_ISA_COUNT,
  /* aarch64 has one SIMD level, ARMv8 NEON (ASIMD; sdot noted separately
   * as asimddp). It shares level 1 with AVX2, so "levels 0..supported"
   * loops, tables indexed by level and PNN_ISA=neon work on both
   * architectures; x86 kernels are compiled only for x86-64 and ARM ones
   * only for aarch64, so a level never means both. */
  PNN_ISA_NEON = 1
} pnn_isa;

typedef struct pnn_cpu_features {
  bool avx2, fma, avx512f, avx512bw, avx512dq, avx512vl, avx512vnni;
  bool avx512vbmi; /* byte permutes (vpermb / vpermi2b) */
  bool neon, asimddp; /* aarch64 */
} pnn_cpu_features;

/* The host's features (probed on first call). */
const pnn_cpu_features *pnn_cpu_features_get(void);
/* Best level the host supports (and this build has kernels for). */
pnn_isa pnn_isa_supported(void);
/* Level ops use now: forced level, else PNN_ISA (capped by support). */
pnn_isa pnn_isa_active(void);
/* Forces `isa` for later prepares; false (and no change) if the host
 * cannot run it. pnn_isa_force(PNN_ISA_COUNT) clears the override. Not
 * thread-safe: for tests and benchmarks. */
bool pnn_isa_force(pnn_isa isa);
/* "scalar", "avx2", "avx512" (x86); "scalar", "neon" (aarch64). */
const char *pnn_isa_name(pnn_isa isa);

#endif
