/* Thread pool behind pnn_node_parallel_for.
 *
 * Split: a job's range [0, n) is cut into chunks and thread t (the caller
 * is thread 0, worker i is thread i) owns the t-th contiguous slice of
 * them, the same slice of every job of the same size. Ops split their
 * output the same way from op to op (rows of NHWC activations, GEMM row
 * tiles), so a core mostly reads the rows it wrote in the previous op and
 * they are still in its private L2; with chunks handed out from one
 * shared counter (what this pool did before) the rows a core computed
 * alternated between the two cores from op to op. A thread takes its own
 * chunks from the front of its slice; a thread that has finished its own
 * takes other slices' chunks from the back (work stealing), so a thread
 * the OS has not scheduled yet, or one running slower, only costs the
 * tail. Each slice is one 64-bit atomic (front | back << 32); the owner
 * takes half of what is left of its slice at a time, a thief one chunk.
 *
 * Publish/join without a lock on the fast path: the caller writes the job,
 * sets `open` and bumps `published` (atomics); a worker spinning for the
 * next job sees it and joins: it counts itself in `active`, then checks
 * that the job is still open. The caller runs its slice and steals, closes
 * the job, and waits until `active` is 0. The join check and the close
 * are sequentially consistent (store one, load the other on each side),
 * so either the caller sees the worker in `active` and waits for it, or
 * the worker sees the job closed and leaves it: a worker never reads a
 * job's fields after the caller returned, and the caller never waits for
 * a thread the OS has not scheduled. The mutex and condition variables
 * are used only to sleep: a worker that found no job for SPIN_NS sleeps
 * on `wake` (the caller broadcasts only when `sleeping` is non-zero), and
 * a caller that waited SPIN_NS for joined workers sleeps on `done`.
 *
 * Waking a sleeping thread (futex) takes tens of microseconds, as long as
 * a small op; ops come back to back in an invoke, so threads spin first.
 *
 * The caller's sleep on `done` is timed (SLEEP_NS) and re-checks `active`,
 * so that a lost wakeup would cost milliseconds of an invoke, not a hang.
 * Idle workers sleep untimed: a worker that misses a job only leaves its
 * chunks to the caller, which steals them. */
#include "runtime/threadpool.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

/* How long a thread spins before it sleeps (ns), and the longest the
 * caller sleeps before it re-checks `active`. */
enum { SPIN_NS = 50 * 1000 };
#define SLEEP_NS 20000000L /* 20 ms */
/* Chunks per thread: the granularity of stealing. */
enum { CHUNKS_PER_THREAD = 8 };
enum { LINE = 64 };

/* One thread's slice of the current job's chunks: [front, back). */
typedef struct {
  alignas(LINE) atomic_uint_fast64_t range;
} slice;

struct pnn_threadpool {
  int n_workers;
  pthread_t *threads;
  slice *slices; /* n_workers + 1 */
  pthread_mutex_t mu;
  pthread_cond_t wake; /* sleeping workers wait for a new job */
  pthread_cond_t done; /* a sleeping caller waits for `active` == 0 */
  /* the current job: written by the caller before `published`, read by
   * workers only after they joined */
  pnn_threadpool_fn fn;
  void *arg;
  int64_t n, chunk;
  uint64_t generation; /* the caller's count of jobs */
  alignas(LINE) atomic_uint_fast64_t published; /* generation of the last job */
  atomic_uint_fast64_t open;   /* generation of the open job, 0: none */
  atomic_bool stop;
  atomic_int started; /* workers started (they number themselves) */
  alignas(LINE) atomic_int active; /* workers in the current job */
  atomic_int sleeping;             /* workers asleep (or about to) on wake */
  atomic_bool caller_waiting;      /* the caller sleeps on done */
  alignas(LINE) atomic_bool busy;  /* a job is running: nested calls inline */
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* pthread_cond_wait for at most SLEEP_NS (the caller re-checks). The
 * condition variable uses CLOCK_REALTIME, the default. */
static void timed_wait(pthread_cond_t *cv, pthread_mutex_t *mu) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += SLEEP_NS;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  pthread_cond_timedwait(cv, mu, &ts);
}

static inline uint64_t pack(uint64_t front, uint64_t back) {
  return front | back << 32;
}

/* Takes chunks of slice s: its owner half of what is left (at least one)
 * from the front, so that it makes few calls (an op may have a cost per
 * call, e.g. a GEMM streaming its weights once per call); a thief one
 * from the back. Returns the first chunk and sets *count, or -1 when the
 * slice is empty. */
static int64_t take(slice *s, bool owner, uint64_t *count) {
  uint64_t v = atomic_load_explicit(&s->range, memory_order_relaxed);
  for (;;) {
    const uint64_t front = v & 0xffffffffu, back = v >> 32;
    if (front >= back) return -1;
    const uint64_t k = owner && back - front > 1 ? (back - front) / 2 : 1;
    const uint64_t nv = owner ? pack(front + k, back) : pack(front, back - 1);
    if (atomic_compare_exchange_weak_explicit(&s->range, &v, nv,
                                              memory_order_relaxed,
                                              memory_order_relaxed)) {
      *count = k;
      return (int64_t)(owner ? front : back - 1);
    }
  }
}

static void run_chunks(pnn_threadpool *p, int64_t c, uint64_t count) {
  const int64_t begin = c * p->chunk;
  const int64_t last = begin + (int64_t)count * p->chunk;
  p->fn(p->arg, begin, last < p->n ? last : p->n);
}

/* Thread t: its own slice front to back, then the others' from the back. */
static void run_slices(pnn_threadpool *p, int t) {
  const int threads = p->n_workers + 1;
  int64_t c;
  uint64_t k;
  while ((c = take(&p->slices[t], true, &k)) >= 0) run_chunks(p, c, k);
  for (int i = 1; i < threads; i++) {
    slice *s = &p->slices[(t + i) % threads];
    while ((c = take(s, false, &k)) >= 0) run_chunks(p, c, k);
  }
}

/* Spins up to SPIN_NS until `published` differs from `seen`. */
static bool spin_for_job(pnn_threadpool *p, uint64_t seen) {
  const uint64_t t0 = now_ns();
  for (unsigned i = 1;; i++) {
    if (atomic_load_explicit(&p->published, memory_order_acquire) != seen)
      return true;
    CPU_RELAX();
    if (!(i & 63) && now_ns() - t0 > SPIN_NS) return false;
  }
}

static void *worker_main(void *arg) {
  pnn_threadpool *p = arg;
  /* this worker's slice: 1, 2, ... in the order the workers start */
  const int t = atomic_fetch_add(&p->started, 1) + 1;
  uint64_t seen = 0;
  for (;;) {
    if (!spin_for_job(p, seen)) {
      pthread_mutex_lock(&p->mu);
      atomic_fetch_add(&p->sleeping, 1);
      while (atomic_load(&p->published) == seen)
        pthread_cond_wait(&p->wake, &p->mu);
      atomic_fetch_sub(&p->sleeping, 1);
      pthread_mutex_unlock(&p->mu);
    }
    /* `published` first, then `stop`: pnn_threadpool_free sets `stop`
     * before it bumps `published`, so a worker that takes the stop's
     * generation as `seen` sees `stop` here. Checked the other way round,
     * a worker woken by a job that then took the stop's bump as the job
     * slept forever waiting for a next generation while free joined it
     * (measured: about once in 2000 runs of test_kernels_vec under ASan
     * natively, once in 50-100 runs of test_ops_qs8_conv_isa under
     * qemu-aarch64). */
    seen = atomic_load(&p->published);
    if (atomic_load(&p->stop)) break;
    atomic_fetch_add(&p->active, 1);
    if (atomic_load(&p->open) == seen) run_slices(p, t);
    if (atomic_fetch_sub(&p->active, 1) == 1 &&
        atomic_load(&p->caller_waiting)) {
      pthread_mutex_lock(&p->mu);
      pthread_cond_signal(&p->done);
      pthread_mutex_unlock(&p->mu);
    }
  }
  return NULL;
}

pnn_threadpool *pnn_threadpool_create(int n_threads) {
  /* aligned: the atomics sit on their own cache lines */
  pnn_threadpool *p = aligned_alloc(LINE, sizeof(*p));
  if (!p) return NULL;
  memset(p, 0, sizeof(*p));
  atomic_init(&p->published, 0);
  atomic_init(&p->open, 0);
  atomic_init(&p->stop, false);
  atomic_init(&p->started, 0);
  atomic_init(&p->active, 0);
  atomic_init(&p->sleeping, 0);
  atomic_init(&p->caller_waiting, false);
  atomic_init(&p->busy, false);
  if (n_threads <= 1) return p;
  if (pthread_mutex_init(&p->mu, NULL)) goto fail_mu;
  if (pthread_cond_init(&p->wake, NULL)) goto fail_wake;
  if (pthread_cond_init(&p->done, NULL)) goto fail_done;
  p->threads = calloc((size_t)n_threads - 1, sizeof(pthread_t));
  p->slices = aligned_alloc(LINE, sizeof(slice) * (size_t)n_threads);
  if (!p->threads || !p->slices) goto fail_threads;
  for (int i = 0; i < n_threads; i++) atomic_init(&p->slices[i].range, 0);
  for (int i = 0; i < n_threads - 1; i++) {
    if (pthread_create(&p->threads[i], NULL, worker_main, p)) break;
    p->n_workers++;
  }
  /* With fewer workers than asked (thread limit), the pool still works. */
  return p;
fail_threads:
  free(p->threads);
  free(p->slices);
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
    atomic_store(&p->stop, true);
    atomic_store(&p->published, ++p->generation);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_workers; i++) pthread_join(p->threads[i], NULL);
    free(p->threads);
    free(p->slices);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mu);
  }
  free(p);
}

int pnn_threadpool_threads(const pnn_threadpool *p) {
  return p ? p->n_workers + 1 : 1;
}

/* Waits until no worker is in the job: spins SPIN_NS, then sleeps. */
static void wait_for_workers(pnn_threadpool *p) {
  const uint64_t t0 = now_ns();
  for (unsigned i = 1;; i++) {
    if (atomic_load_explicit(&p->active, memory_order_acquire) == 0) return;
    CPU_RELAX();
    if (!(i & 63) && now_ns() - t0 > SPIN_NS) break;
  }
  pthread_mutex_lock(&p->mu);
  atomic_store(&p->caller_waiting, true);
  while (atomic_load(&p->active) != 0) timed_wait(&p->done, &p->mu);
  atomic_store(&p->caller_waiting, false);
  pthread_mutex_unlock(&p->mu);
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
  const int64_t threads = p->n_workers + 1;
  const int64_t want = threads * CHUNKS_PER_THREAD;
  p->fn = fn;
  p->arg = arg;
  p->n = n;
  p->chunk = (n + want - 1) / want;
  const int64_t n_chunks = (n + p->chunk - 1) / p->chunk; /* <= want */
  for (int64_t t = 0; t < threads; t++)
    atomic_store_explicit(&p->slices[t].range,
                          pack((uint64_t)(n_chunks * t / threads),
                               (uint64_t)(n_chunks * (t + 1) / threads)),
                          memory_order_relaxed);
  const uint64_t gen = ++p->generation;
  atomic_store(&p->open, gen);
  atomic_store(&p->published, gen);
  if (atomic_load(&p->sleeping) > 0) {
    pthread_mutex_lock(&p->mu);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
  }
  run_slices(p, 0);
  atomic_store(&p->open, 0);
  wait_for_workers(p);
  atomic_store(&p->busy, false);
}
