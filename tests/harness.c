#include "harness.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_TESTS = 4096 };
static struct { const char *name; void (*fn)(void); } tests[MAX_TESTS];
static int n_tests, current_failures;

void pnn_test_register(const char *name, void (*fn)(void)) {
  if (n_tests < MAX_TESTS) {
    tests[n_tests].name = name;
    tests[n_tests].fn = fn;
    n_tests++;
  }
}

void pnn_test_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "  %s:%d: check failed: ", file, line);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  current_failures++;
}

int pnn_test_failures(void) { return current_failures; }

int main(int argc, char **argv) {
  const char *filter = argc > 1 ? argv[1] : NULL;
  int passed = 0, failed = 0;
  for (int i = 0; i < n_tests; i++) {
    if (filter && !strstr(tests[i].name, filter)) continue;
    current_failures = 0;
    tests[i].fn();
    if (current_failures) {
      failed++;
      printf("FAIL %s\n", tests[i].name);
    } else {
      passed++;
      printf("ok   %s\n", tests[i].name);
    }
    fflush(stdout);
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
