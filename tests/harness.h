/* A minimal test harness: TEST(name) { ... CHECK(cond); ... }.
 * Each test_*.c file is its own binary; main() runs every registered test
 * (or those whose name contains argv[1]) and ends with
 * "N passed, N failed". */
#ifndef PNN_TESTS_HARNESS_H
#define PNN_TESTS_HARNESS_H

#include <math.h>
#include <stdio.h>

void pnn_test_register(const char *name, void (*fn)(void));
void pnn_test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Number of failed checks in the current test so far. */
int pnn_test_failures(void);

#define TEST(name)                                                     \
  static void name(void);                                              \
  __attribute__((constructor)) static void pnn_register_##name(void) { \
    pnn_test_register(#name, name);                                    \
  }                                                                    \
  static void name(void)

#define CHECK(cond)                                          \
  do {                                                       \
    if (!(cond)) {                                           \
      pnn_test_fail(__FILE__, __LINE__, "%s", #cond);        \
      return;                                                \
    }                                                        \
  } while (0)

#define CHECK_MSG(cond, ...)                          \
  do {                                                \
    if (!(cond)) {                                    \
      pnn_test_fail(__FILE__, __LINE__, __VA_ARGS__); \
      return;                                         \
    }                                                 \
  } while (0)

#define CHECK_EQ_INT(a, b)                                              \
  do {                                                                  \
    long long pnn_a_ = (long long)(a), pnn_b_ = (long long)(b);         \
    if (pnn_a_ != pnn_b_) {                                             \
      pnn_test_fail(__FILE__, __LINE__, "%s == %s (%lld vs %lld)", #a, \
                    #b, pnn_a_, pnn_b_);                                \
      return;                                                           \
    }                                                                   \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                              \
  do {                                                                     \
    double pnn_a_ = (double)(a), pnn_b_ = (double)(b);                     \
    if (!(fabs(pnn_a_ - pnn_b_) <= (tol))) {                               \
      pnn_test_fail(__FILE__, __LINE__, "%s ~= %s (%.9g vs %.9g)", #a, #b, \
                    pnn_a_, pnn_b_);                                       \
      return;                                                              \
    }                                                                      \
  } while (0)

#endif
