/* CPU feature probe (see cpu.h). */
#include "kernels/cpu.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define PNN_X86 1
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#define PNN_ARM64 1
#endif

static pnn_cpu_features g_features;
static atomic_int g_probed;        /* 0 no, 1 yes */
static int g_forced = -1;          /* pnn_isa_force override, -1 none */
static atomic_int g_env_level = -2; /* PNN_ISA parsed; -2 not read, -1 unset */

#ifdef PNN_X86
static unsigned long long xgetbv0(void) {
  unsigned int lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((unsigned long long)hi << 32) | lo;
}
#endif

static void probe(pnn_cpu_features *f) {
  memset(f, 0, sizeof *f);
#ifdef PNN_X86
  unsigned int a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return;
  const bool osxsave = c & (1u << 27), fma = c & (1u << 12);
  if (!osxsave) return;
  const unsigned long long xcr0 = xgetbv0();
  const bool ymm_os = (xcr0 & 0x6) == 0x6;     /* XMM + YMM state */
  const bool zmm_os = (xcr0 & 0xe6) == 0xe6;   /* + opmask, ZMM_Hi256, Hi16 */
  if (__get_cpuid_max(0, NULL) < 7) return;
  __cpuid_count(7, 0, a, b, c, d);
  f->fma = fma && ymm_os;
  f->avx2 = ymm_os && (b & (1u << 5));
  f->avx512f = zmm_os && (b & (1u << 16));
  f->avx512dq = f->avx512f && (b & (1u << 17));
  f->avx512bw = f->avx512f && (b & (1u << 30));
  f->avx512vl = f->avx512f && (b & (1u << 31));
  f->avx512vnni = f->avx512f && (c & (1u << 11));
  f->avx512vbmi = f->avx512f && (c & (1u << 1));
#elif defined(PNN_ARM64)
  unsigned long hw = getauxval(AT_HWCAP);
  f->neon = hw & HWCAP_ASIMD;
#ifdef HWCAP_ASIMDDP
  f->asimddp = hw & HWCAP_ASIMDDP;
#endif
#endif
}

const pnn_cpu_features *pnn_cpu_features_get(void) {
  /* The probe is idempotent, so a race only repeats it. */
  if (!atomic_load(&g_probed)) {
    pnn_cpu_features f;
    probe(&f);
    g_features = f;
    atomic_store(&g_probed, 1);
  }
  return &g_features;
}

pnn_isa pnn_isa_supported(void) {
  const pnn_cpu_features *f = pnn_cpu_features_get();
#ifdef PNN_X86
  if (f->avx512f && f->avx512bw && f->avx512dq && f->avx512vl && f->fma)
    return PNN_ISA_AVX512;
  if (f->avx2 && f->fma) return PNN_ISA_AVX2;
#elif defined(__aarch64__)
  if (f->neon) return PNN_ISA_NEON;
#else
  (void)f;
#endif
  return PNN_ISA_SCALAR;
}

const char *pnn_isa_name(pnn_isa isa) {
  switch (isa) {
    case PNN_ISA_SCALAR: return "scalar";
#if defined(__aarch64__)
    case PNN_ISA_NEON: return "neon";
#else
    case PNN_ISA_AVX2: return "avx2";
    case PNN_ISA_AVX512: return "avx512";
#endif
    default: return "?";
  }
}

static int env_level(void) {
  int v = atomic_load(&g_env_level);
  if (v != -2) return v;
  v = -1;
  const char *s = getenv("PNN_ISA");
  if (s) {
    for (int i = 0; i < PNN_ISA_COUNT; i++)
      if (strcmp(s, pnn_isa_name((pnn_isa)i)) == 0) v = i;
  }
  atomic_store(&g_env_level, v);
  return v;
}

pnn_isa pnn_isa_active(void) {
  pnn_isa best = pnn_isa_supported();
  if (g_forced >= 0) return (pnn_isa)g_forced;
  int e = env_level();
  if (e >= 0 && e < (int)best) return (pnn_isa)e;
  return best;
}

bool pnn_isa_force(pnn_isa isa) {
  if (isa == PNN_ISA_COUNT) {
    g_forced = -1;
    return true;
  }
  if ((int)isa < 0 || isa > pnn_isa_supported()) return false;
  g_forced = (int)isa;
  return true;
}
