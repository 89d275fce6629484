/* Thread pool behind pnn_node_parallel_for.
 *
 * Protocol: the caller publishes a job under the mutex, opens it and bumps
 * the generation; a worker that wakes while the job is still open joins it
 * (under the mutex), takes chunks from an atomic counter, and reports once
 * under the mutex. The caller takes chunks too, then closes the job and
 * waits only for the workers that joined. A worker that wakes after the
 * close does nothing for that job, so the caller never waits for a thread
 * the OS has not scheduled yet (on a busy machine the caller simply does
 * the chunks itself), and no worker can still be reading a job's fields
 * when the next job is published.
 *
 * Waking a sleeping thread (futex) takes tens of microseconds, as long as
 * a small op; ops come back to back in an invoke, so a worker that has
 * finished a job first spins for SPIN_NS watching for the next one before
 * it sleeps, and the caller spins as long for joined workers to finish
 * before it sleeps. */
#include "runtime/threadpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

/* How long a thread spins before it sleeps (ns). */
enum { SPIN_NS = 50 * 1000 };

struct pnn_threadpool {
  int n_workers;
  pthread_t *threads;
  pthread_mutex_t mu;
  pthread_cond_t wake; /* workers wait for a new generation */
  pthread_cond_t done; /* the caller waits for all reports */
  uint64_t generation;
  bool open;    /* the current job still accepts workers */
  int joined;   /* workers that joined the current job */
  int finished; /* ... and have finished with it */
  bool stop;
  /* the current job */
  pnn_threadpool_fn fn;
  void *arg;
  int64_t n, chunk;
  int64_t n_chunks;
  atomic_int_fast64_t next; /* next chunk to take */
  atomic_bool busy;         /* a job is running: nested calls go inline */
  atomic_uint_fast64_t published; /* = generation, read while spinning */
  atomic_int active;              /* joined workers not yet finished */
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Spins up to SPIN_NS until the generation differs from `seen`. */
static void spin_for_job(pnn_threadpool *p, uint64_t seen) {
  const uint64_t t0 = now_ns();
  for (unsigned i = 1;; i++) {
    if (atomic_load_explicit(&p->published, memory_order_acquire) != seen)
      return;
    CPU_RELAX();
    if (!(i & 63) && now_ns() - t0 > SPIN_NS) return;
  }
}

/* Spins up to SPIN_NS until no joined worker is still running. */
static void spin_for_workers(pnn_threadpool *p) {
  const uint64_t t0 = now_ns();
  for (unsigned i = 1;; i++) {
    if (atomic_load_explicit(&p->active, memory_order_acquire) == 0) return;
    CPU_RELAX();
    if (!(i & 63) && now_ns() - t0 > SPIN_NS) return;
  }
}

static void run_chunks(pnn_threadpool *p) {
  for (;;) {
    int64_t c = atomic_fetch_add(&p->next, 1);
    if (c >= p->n_chunks) break;
    int64_t begin = c * p->chunk;
    int64_t end = begin + p->chunk < p->n ? begin + p->chunk : p->n;
    p->fn(p->arg, begin, end);
  }
}

static void *worker_main(void *arg) {
  pnn_threadpool *p = arg;
  uint64_t seen = 0;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    if (p->generation == seen && !p->stop) {
      pthread_mutex_unlock(&p->mu);
      spin_for_job(p, seen);
      pthread_mutex_lock(&p->mu);
    }
    while (p->generation == seen && !p->stop)
      pthread_cond_wait(&p->wake, &p->mu);
    if (p->stop) break;
    seen = p->generation;
    if (!p->open) continue; /* closed before this thread got to it */
    p->joined++;
    atomic_fetch_add(&p->active, 1);
    pthread_mutex_unlock(&p->mu);
    run_chunks(p);
    pthread_mutex_lock(&p->mu);
    atomic_fetch_sub_explicit(&p->active, 1, memory_order_release);
    if (++p->finished == p->joined) pthread_cond_signal(&p->done);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

pnn_threadpool *pnn_threadpool_create(int n_threads) {
  pnn_threadpool *p = calloc(1, sizeof(*p));
  if (!p) return NULL;
  atomic_init(&p->next, 0);
  atomic_init(&p->busy, false);
  atomic_init(&p->published, 0);
  atomic_init(&p->active, 0);
  if (n_threads <= 1) return p;
  if (pthread_mutex_init(&p->mu, NULL)) goto fail_mu;
  if (pthread_cond_init(&p->wake, NULL)) goto fail_wake;
  if (pthread_cond_init(&p->done, NULL)) goto fail_done;
  p->threads = calloc((size_t)n_threads - 1, sizeof(pthread_t));
  if (!p->threads) goto fail_threads;
  for (int i = 0; i < n_threads - 1; i++) {
    if (pthread_create(&p->threads[i], NULL, worker_main, p)) break;
    p->n_workers++;
  }
  /* With fewer workers than asked (thread limit), the pool still works. */
  return p;
fail_threads:
  pthread_cond_destroy(&p->done);
fail_done:
  pthread_cond_destroy(&p->wake);
fail_wake:
  pthread_mutex_destroy(&p->mu);
fail_mu:
  free(p);
  return NULL;
}

void pnn_threadpool_free(pnn_threadpool *p) {
  if (!p) return;
  if (p->threads) {
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_workers; i++) pthread_join(p->threads[i], NULL);
    free(p->threads);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mu);
  }
  free(p);
}

int pnn_threadpool_threads(const pnn_threadpool *p) {
  return p ? p->n_workers + 1 : 1;
}

void pnn_threadpool_run(pnn_threadpool *p, int64_t n, pnn_threadpool_fn fn,
                        void *arg) {
  if (n <= 0) return;
  bool expected = false;
  if (!p || p->n_workers == 0 || n == 1 ||
      !atomic_compare_exchange_strong(&p->busy, &expected, true)) {
    fn(arg, 0, n);
    return;
  }
  /* A few chunks per thread balance uneven work without much overhead. */
  int64_t threads = p->n_workers + 1;
  int64_t want = threads * 4 < n ? threads * 4 : n;
  pthread_mutex_lock(&p->mu);
  p->fn = fn;
  p->arg = arg;
  p->n = n;
  p->chunk = (n + want - 1) / want;
  p->n_chunks = (n + p->chunk - 1) / p->chunk;
  atomic_store(&p->next, 0);
  p->joined = p->finished = 0;
  p->open = true;
  p->generation++;
  atomic_store_explicit(&p->published, p->generation, memory_order_release);
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mu);
  run_chunks(p);
  pthread_mutex_lock(&p->mu);
  p->open = false;
  if (p->finished < p->joined) {
    pthread_mutex_unlock(&p->mu);
    spin_for_workers(p);
    pthread_mutex_lock(&p->mu);
  }
  while (p->finished < p->joined) pthread_cond_wait(&p->done, &p->mu);
  pthread_mutex_unlock(&p->mu);
  atomic_store(&p->busy, false);
}
