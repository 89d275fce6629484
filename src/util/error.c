/* Error text into a caller's buffer (see error.h). */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>

void pnn_set_err(char *err, size_t size, const char *fmt, ...) {
  if (!err || !size) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, size, fmt, ap);
  va_end(ap);
}
