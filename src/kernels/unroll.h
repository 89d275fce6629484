/* PNN_UNROLL before a loop asks for full unrolling when the trip count is
 * a compile-time constant (after inlining); with a constant trip count
 * arrays of vector accumulators indexed by the loop variable
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

/* For loops whose trip count is constant in some instantiations only
 * (filter taps): GCC unrolls where it can; clang, which would report a
 * failed full unroll, is left to its own heuristics. */
#if defined(__GNUC__) && !defined(__clang__)
#define PNN_UNROLL_TAPS _Pragma("GCC unroll 8")
#else
#define PNN_UNROLL_TAPS
#endif

#endif
