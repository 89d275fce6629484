/* Error text for calls that report into a caller's buffer
 * (char *err, size_t err_size), as the loader and the tools do. */
#ifndef PNN_UTIL_ERROR_H
#define PNN_UTIL_ERROR_H

#include <stddef.h>

/* Formats the message into err[size] (always NUL-terminated, truncated
 * if long); does nothing when err is NULL or size is 0. */
void pnn_set_err(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
