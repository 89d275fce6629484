/* A small streaming JSON writer: tracks commas and indentation so callers
 * only say what they emit. Strings are escaped per RFC 8259; non-finite
 * numbers become null. Containers opened "inline" print on one line. */
#ifndef PNN_CLI_JSON_H
#define PNN_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 32

typedef struct jw {
  FILE *f;
  int depth;
  bool first[JW_MAX_DEPTH];   /* no element written yet at this level */
  bool inline_[JW_MAX_DEPTH]; /* this container prints on one line */
  bool after_key;             /* a key was written; the value follows */
} jw;

void jw_init(jw *w, FILE *f);
void jw_object(jw *w, bool inline_);
void jw_object_end(jw *w);
void jw_array(jw *w, bool inline_);
void jw_array_end(jw *w);
void jw_key(jw *w, const char *key);
void jw_string(jw *w, const char *s);
void jw_int(jw *w, int64_t v);
void jw_uint(jw *w, uint64_t v);
void jw_double(jw *w, double v);
void jw_bool(jw *w, bool v);
void jw_null(jw *w);
/* Ends the document with a newline. */
void jw_finish(jw *w);

/* Writes s as a JSON string literal (with quotes) to f. */
void jw_write_escaped(FILE *f, const char *s);

#endif
