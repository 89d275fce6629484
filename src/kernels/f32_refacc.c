/* Reference-order f32 kernels: the config table and dispatch (see
 * f32_refacc.h). */
#include "kernels/f32_refacc.h"

static const pnn_f32_gemm_config g_refacc[PNN_ISA_COUNT] = {
    {PNN_ISA_SCALAR, 4, 8, pnn_f32_gemm_4x8_scalar, "f32_gemm_4x8_scalar"},
#if defined(__x86_64__)
    {PNN_ISA_AVX2, 6, 16, pnn_f32_gemm_6x16_refacc_avx2,
     "f32_gemm_6x16_refacc_avx2"},
    {PNN_ISA_AVX512, 12, 32, pnn_f32_gemm_12x32_refacc_avx512,
     "f32_gemm_12x32_refacc_avx512"},
#elif defined(__aarch64__)
    {PNN_ISA_NEON, 8, 8, pnn_f32_gemm_8x8_refacc_neon,
     "f32_gemm_8x8_refacc_neon"},
#endif
};

const pnn_f32_gemm_config *pnn_f32_gemm_refacc_config_for(pnn_isa isa) {
  int i = (int)isa;
  if (i < 0) i = 0;
  if (i >= PNN_ISA_COUNT) i = PNN_ISA_COUNT - 1;
  while (i > 0 && !g_refacc[i].ukernel) i--;
  return &g_refacc[i];
}

void pnn_f32_gemm_plan_use_refacc(pnn_f32_gemm_plan *plan) {
  const pnn_f32_gemm_config *r = pnn_f32_gemm_refacc_config_for(plan->cfg->isa);
  /* Same panel geometry by construction; keep the plan if ever not. */
  if (r->mr == plan->cfg->mr && r->nr == plan->cfg->nr) plan->cfg = r;
}

pnn_f32_dwconv_rows_fn pnn_f32_dwconv_refacc_rows_for(pnn_isa isa) {
#if defined(__x86_64__)
  if (isa == PNN_ISA_AVX2) return pnn_f32_dwconv_rows_refacc_avx2;
  if (isa == PNN_ISA_AVX512) return pnn_f32_dwconv_rows_refacc_avx512;
#elif defined(__aarch64__)
  if (isa == PNN_ISA_NEON) return pnn_f32_dwconv_rows_refacc_neon;
#endif
  (void)isa;
  return pnn_f32_dwconv_rows_scalar;
}

void pnn_f32_dwconv_use_refacc(pnn_f32_dwconv *d) {
  d->rows = pnn_f32_dwconv_refacc_rows_for(d->isa);
}
