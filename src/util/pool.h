/* A bump allocator: many small allocations, one free. Used for decoded
 * model structures and interpreter-lifetime state. */
#ifndef PNN_UTIL_POOL_H
#define PNN_UTIL_POOL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct pnn_pool_chunk pnn_pool_chunk;

typedef struct pnn_pool {
  pnn_pool_chunk *head;
  size_t used_bytes;  /* sum of requested bytes (with alignment) */
} pnn_pool;

void pnn_pool_init(pnn_pool *pool);
/* Zeroed memory aligned to 16 bytes, or NULL on overflow/out of memory. */
void *pnn_pool_alloc(pnn_pool *pool, size_t size);
/* pnn_pool_alloc(n * size) with an overflow check. */
void *pnn_pool_calloc(pnn_pool *pool, size_t n, size_t size);
/* Copy of a string of `len` bytes, NUL-terminated. */
char *pnn_pool_strndup(pnn_pool *pool, const char *s, size_t len);
void pnn_pool_free(pnn_pool *pool);
/* Gives back one allocation of more than 64 KB (those get a chunk of
 * their own) before the pool is freed: true if p was such an allocation
 * and is freed now, false (nothing changes) otherwise. */
bool pnn_pool_release(pnn_pool *pool, void *p);

#endif
