/* A persistent pthread pool: n-1 workers plus the calling thread split a
 * range into contiguous slices. Created once per interpreter; a
 * parallel_for allocates nothing and takes no lock unless a thread has
 * gone to sleep, so invoke stays allocation-free. */
#ifndef PNN_RUNTIME_THREADPOOL_H
#define PNN_RUNTIME_THREADPOOL_H

#include <stdint.h>

#include "pocketnn.h"

typedef struct pnn_threadpool pnn_threadpool;
typedef void (*pnn_threadpool_fn)(void *arg, int64_t begin, int64_t end);

/* A pool for n_threads threads in total (n_threads - 1 workers). With
 * n_threads <= 1 no thread is started. NULL on failure. */
pnn_threadpool *pnn_threadpool_create(int n_threads);
void pnn_threadpool_free(pnn_threadpool *pool);
int pnn_threadpool_threads(const pnn_threadpool *pool);

/* Runs fn over [0, n) in chunks on all threads and returns when every
 * chunk is done. Thread t (the caller is thread 0) gets the t-th
 * contiguous slice of [0, n), the same for every job of the same n, so
 * ops that split their output the same way keep each band of rows on one
 * core from op to op; a thread done with its slice takes chunks from the
 * end of the others' (the chunk boundaries are not specified: results
 * must not depend on them). Runs inline when the pool is NULL,
 * single-threaded, n is 1, or a parallel_for is already running (a
 * nested call). */
void pnn_threadpool_run(pnn_threadpool *pool, int64_t n, pnn_threadpool_fn fn,
                        void *arg);

#endif
