/* Streaming JSON writer; see json.h. */
#include "json.h"

#include <math.h>

void jw_init(jw *w, FILE *f) {
  w->f = f;
  w->depth = 0;
  w->first[0] = true;
  w->inline_[0] = false;
  w->after_key = false;
}

static void newline(jw *w) {
  fputc('\n', w->f);
  for (int i = 0; i < w->depth; i++) fputs("  ", w->f);
}

/* Separator and indentation before a value or a key. */
static void before_item(jw *w) {
  if (w->after_key) {
    w->after_key = false;
    return;
  }
  if (w->depth == 0) return;
  if (!w->first[w->depth]) fputc(',', w->f);
  if (w->inline_[w->depth]) {
    if (!w->first[w->depth]) fputc(' ', w->f);
  } else {
    newline(w);
  }
  w->first[w->depth] = false;
}

static void open_container(jw *w, char ch, bool inline_) {
  before_item(w);
  fputc(ch, w->f);
  if (w->depth + 1 < JW_MAX_DEPTH) w->depth++;
  w->first[w->depth] = true;
  /* Inside an inline container everything stays inline. */
  w->inline_[w->depth] = inline_ || (w->depth > 1 && w->inline_[w->depth - 1]);
}

static void close_container(jw *w, char ch) {
  bool was_empty = w->first[w->depth], was_inline = w->inline_[w->depth];
  if (w->depth > 0) w->depth--;
  if (!was_empty && !was_inline) newline(w);
  fputc(ch, w->f);
}

void jw_object(jw *w, bool inline_) {
  open_container(w, '{', inline_);
}
void jw_object_end(jw *w) {
  close_container(w, '}');
}
void jw_array(jw *w, bool inline_) {
  open_container(w, '[', inline_);
}
void jw_array_end(jw *w) {
  close_container(w, ']');
}

/* Length of the valid UTF-8 sequence starting at p, or 0 if invalid. */
static int utf8_len(const unsigned char *p) {
  int n;
  uint32_t cp;
  if (p[0] >= 0xc2 && p[0] <= 0xdf)
    n = 2, cp = p[0] & 0x1f;
  else if (p[0] >= 0xe0 && p[0] <= 0xef)
    n = 3, cp = p[0] & 0x0f;
  else if (p[0] >= 0xf0 && p[0] <= 0xf4)
    n = 4, cp = p[0] & 0x07;
  else
    return 0;
  for (int i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80) return 0; /* also stops at the NUL */
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

void jw_write_escaped(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    if (*p >= 0x80) {
      /* Model strings are untrusted: valid UTF-8 passes through, any other
       * byte becomes its Latin-1 code point so the document stays valid. */
      int n = utf8_len(p);
      if (n) {
        fwrite(p, 1, (size_t)n, f);
        p += n - 1;
      } else {
        fprintf(f, "\\u%04x", *p);
      }
      continue;
    }
    switch (*p) {
      case '"': fputs("\\\"", f); break;
      case '\\': fputs("\\\\", f); break;
      case '\n': fputs("\\n", f); break;
      case '\r': fputs("\\r", f); break;
      case '\t': fputs("\\t", f); break;
      case '\b': fputs("\\b", f); break;
      case '\f': fputs("\\f", f); break;
      default:
        if (*p < 0x20 || *p == 0x7f)
          fprintf(f, "\\u%04x", *p);
        else
          fputc(*p, f);
    }
  }
  fputc('"', f);
}

void jw_key(jw *w, const char *key) {
  before_item(w);
  jw_write_escaped(w->f, key);
  fputs(": ", w->f);
  w->after_key = true;
}

void jw_string(jw *w, const char *s) {
  before_item(w);
  jw_write_escaped(w->f, s);
}
void jw_int(jw *w, int64_t v) {
  before_item(w);
  fprintf(w->f, "%lld", (long long)v);
}
void jw_uint(jw *w, uint64_t v) {
  before_item(w);
  fprintf(w->f, "%llu", (unsigned long long)v);
}
void jw_double(jw *w, double v) {
  before_item(w);
  if (isfinite(v))
    fprintf(w->f, "%.9g", v);
  else
    fputs("null", w->f);
}
void jw_bool(jw *w, bool v) {
  before_item(w);
  fputs(v ? "true" : "false", w->f);
}
void jw_null(jw *w) {
  before_item(w);
  fputs("null", w->f);
}
void jw_finish(jw *w) {
  fputc('\n', w->f);
}
