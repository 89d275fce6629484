#include "pool.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct pnn_pool_chunk {
  pnn_pool_chunk *next;
  size_t size, used;
  _Alignas(16) unsigned char data[];
};

enum { POOL_ALIGN = 16, POOL_MIN_CHUNK = 64 * 1024 };

void pnn_pool_init(pnn_pool *pool) {
  pool->head = NULL;
  pool->used_bytes = 0;
}

static size_t align_up(size_t n) { return (n + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1); }

void *pnn_pool_alloc(pnn_pool *pool, size_t size) {
  if (size > SIZE_MAX / 2) return NULL;
  size_t need = align_up(size ? size : 1);
  pnn_pool_chunk *c = pool->head;
  bool zeroed = false;
  if (!c || c->size - c->used < need) {
    size_t chunk = need > POOL_MIN_CHUNK ? need : POOL_MIN_CHUNK;
    /* A large piece (packed weights) gets its own chunk from calloc:
     * fresh pages come zeroed from the kernel, so no memset pass over
     * megabytes that prepare is about to overwrite anyway. */
    zeroed = need > POOL_MIN_CHUNK;
    c = zeroed ? calloc(1, sizeof(*c) + chunk) : malloc(sizeof(*c) + chunk);
    if (!c) return NULL;
    c->size = chunk;
    c->used = 0;
    /* A large one-off allocation goes behind the head so the head's free
     * space stays usable. */
    if (pool->head && need > POOL_MIN_CHUNK) {
      c->next = pool->head->next;
      pool->head->next = c;
    } else {
      c->next = pool->head;
      pool->head = c;
    }
  }
  void *p = c->data + c->used;
  c->used += need;
  pool->used_bytes += need;
  if (!zeroed) memset(p, 0, need);
  return p;
}

void *pnn_pool_calloc(pnn_pool *pool, size_t n, size_t size) {
  if (size && n > SIZE_MAX / size) return NULL;
  return pnn_pool_alloc(pool, n * size);
}

char *pnn_pool_strndup(pnn_pool *pool, const char *s, size_t len) {
  char *p = pnn_pool_alloc(pool, len + 1);
  if (!p) return NULL;
  if (len) memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

bool pnn_pool_release(pnn_pool *pool, void *p) {
  if (!p) return false;
  for (pnn_pool_chunk **link = &pool->head; *link; link = &(*link)->next) {
    pnn_pool_chunk *c = *link;
    /* A chunk larger than the minimum holds exactly one allocation. */
    if ((void *)c->data != p || c->size <= POOL_MIN_CHUNK) continue;
    *link = c->next;
    pool->used_bytes -= c->used;
    free(c);
    return true;
  }
  return false;
}

void pnn_pool_free(pnn_pool *pool) {
  pnn_pool_chunk *c = pool->head;
  while (c) {
    pnn_pool_chunk *next = c->next;
    free(c);
    c = next;
  }
  pool->head = NULL;
  pool->used_bytes = 0;
}
