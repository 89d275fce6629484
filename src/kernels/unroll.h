/* PNN_UNROLL before a loop with a compile-time trip count asks for full
 * unrolling, so arrays of vector accumulators indexed by the loop variable
 * stay in registers (GCC and clang spell the request differently). */
#ifndef PNN_KERNELS_UNROLL_H
#define PNN_KERNELS_UNROLL_H

#if defined(__clang__)
#define PNN_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define PNN_UNROLL _Pragma("GCC unroll 16")
#else
#define PNN_UNROLL
#endif

#endif
