#include "runtime/planner.h"

#include <stdint.h>
#include <stdlib.h>

/* Rounds up to the arena alignment; SIZE_MAX on overflow. */
static size_t align_up(size_t n) {
  if (n > SIZE_MAX - (PNN_ARENA_ALIGN - 1)) return SIZE_MAX;
  return (n + PNN_ARENA_ALIGN - 1) & ~(size_t)(PNN_ARENA_ALIGN - 1);
}

/* Largest first; ties by earlier start so results are deterministic.
 * Insertion sorts: qsort has no context argument in C11, and a global for
 * the comparator would make concurrent prepares on different interpreters
 * race. Plans are built once per prepare, so O(n^2) is fine. */
static int before(const pnn_plan_buffer *bufs, int32_t a, int32_t b) {
  const pnn_plan_buffer *x = &bufs[a], *y = &bufs[b];
  if (x->size != y->size) return x->size > y->size;
  if (x->first != y->first) return x->first < y->first;
  return a < b;
}

static void sort_by_size(const pnn_plan_buffer *bufs, int32_t *idx, int32_t n) {
  for (int32_t i = 1; i < n; i++) {
    int32_t v = idx[i], j = i;
    for (; j > 0 && before(bufs, v, idx[j - 1]); j--) idx[j] = idx[j - 1];
    idx[j] = v;
  }
}

static void sort_by_offset(const pnn_plan_buffer *bufs, int32_t *idx,
                           int32_t n) {
  for (int32_t i = 1; i < n; i++) {
    int32_t v = idx[i], j = i;
    for (; j > 0 && bufs[v].offset < bufs[idx[j - 1]].offset; j--)
      idx[j] = idx[j - 1];
    idx[j] = v;
  }
}

static int overlaps(const pnn_plan_buffer *a, const pnn_plan_buffer *b) {
  return a->first <= b->last && b->first <= a->last;
}

/* Lowest offset where `b` fits among the placed buffers live with it.
 * `live` is scratch for up to n_placed indices. */
static size_t find_offset(pnn_plan_buffer *bufs, const pnn_plan_buffer *b,
                          const int32_t *placed, int32_t n_placed,
                          int32_t *live) {
  int32_t n_live = 0;
  for (int32_t i = 0; i < n_placed; i++)
    if (overlaps(&bufs[placed[i]], b)) live[n_live++] = placed[i];
  sort_by_offset(bufs, live, n_live);
  size_t offset = 0;
  for (int32_t i = 0; i < n_live; i++) {
    const pnn_plan_buffer *o = &bufs[live[i]];
    if (o->offset >= offset && o->offset - offset >= b->size) break;
    size_t end = align_up(o->offset + o->size);
    if (end > offset) offset = end;
  }
  return offset;
}

pnn_status pnn_plan_arena(pnn_plan_buffer *bufs, int32_t n,
                          size_t *arena_bytes) {
  *arena_bytes = 0;
  if (n <= 0) return PNN_OK;
  int32_t *order = malloc(sizeof(int32_t) * 3 * (size_t)n);
  if (!order) return PNN_ERROR_OUT_OF_MEMORY;
  int32_t *placed = order + n, *live = order + 2 * n;
  for (int32_t i = 0; i < n; i++) {
    order[i] = i;
    bufs[i].offset = 0;
  }
  sort_by_size(bufs, order, n);
  int32_t n_placed = 0;
  size_t total = 0;
  pnn_status status = PNN_OK;
  for (int32_t k = 0; k < n; k++) {
    pnn_plan_buffer *b = &bufs[order[k]];
    if (b->size == 0) continue;
    if (b->size > SIZE_MAX / 2) {
      status = PNN_ERROR_LIMIT;
      break;
    }
    b->offset = find_offset(bufs, b, placed, n_placed, live);
    if (b->offset > SIZE_MAX / 2) {
      status = PNN_ERROR_LIMIT;
      break;
    }
    size_t end = align_up(b->offset + b->size);
    if (end > total) total = end;
    placed[n_placed++] = order[k];
  }
  free(order);
  if (status == PNN_OK) *arena_bytes = total;
  return status;
}
