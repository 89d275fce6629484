/* The thread pool: every index of every job runs exactly once, whatever
 * the thread count, job size and pace; nested calls run inline; many
 * back-to-back jobs (the caller closes a job before workers have woken,
 * and workers wake into the next one) lose or repeat nothing; a pool freed
 * right after its first job, while its worker is still waking, shuts
 * down. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "runtime/threadpool.h"

#define MAXN 4096

typedef struct {
  atomic_int hits[MAXN];
  pnn_threadpool *pool; /* for the nested call */
  int slow;             /* busy work per index */
} job;

static void count(void *arg, int64_t begin, int64_t end) {
  job *j = arg;
  for (int64_t i = begin; i < end; i++) {
    volatile int x = 0;
    for (int k = 0; k < j->slow; k++) x = x + k;
    (void)x;
    atomic_fetch_add(&j->hits[i], 1);
  }
}

static void nested(void *arg, int64_t begin, int64_t end) {
  job *j = arg;
  /* A parallel_for inside a job runs inline on this thread. */
  for (int64_t i = begin; i < end; i++) {
    pnn_threadpool_run(j->pool, 1, count, j); /* index 0 */
    atomic_fetch_add(&j->hits[i + 1], 1);
  }
}

static job J;

static int all_equal(int n, int want) {
  for (int i = 0; i < n; i++)
    if (atomic_load(&J.hits[i]) != want) return 0;
  return 1;
}

TEST(each_index_once) {
  for (int threads = 1; threads <= 4; threads++) {
    pnn_threadpool *p = pnn_threadpool_create(threads);
    CHECK(p);
    CHECK_EQ_INT(pnn_threadpool_threads(p), threads);
    int sizes[] = {1, 2, 3, 7, 64, 1000, MAXN};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
      for (int slow = 0; slow <= 200; slow += 200) {
        memset(&J, 0, sizeof J);
        J.slow = slow;
        pnn_threadpool_run(p, sizes[s], count, &J);
        CHECK_MSG(all_equal(sizes[s], 1), "threads %d n %d", threads,
                  sizes[s]);
        CHECK_EQ_INT(atomic_load(&J.hits[sizes[s] < MAXN ? sizes[s] : 0]),
                     sizes[s] < MAXN ? 0 : 1);
      }
    }
    pnn_threadpool_free(p);
  }
}

TEST(back_to_back_jobs) {
  pnn_threadpool *p = pnn_threadpool_create(2);
  CHECK(p);
  memset(&J, 0, sizeof J);
  for (int r = 0; r < 20000; r++) pnn_threadpool_run(p, 8, count, &J);
  CHECK(all_equal(8, 20000));
  CHECK_EQ_INT(atomic_load(&J.hits[8]), 0);
  pnn_threadpool_free(p);
}

TEST(nested_runs_inline) {
  pnn_threadpool *p = pnn_threadpool_create(2);
  CHECK(p);
  memset(&J, 0, sizeof J);
  J.pool = p;
  pnn_threadpool_run(p, 100, nested, &J);
  CHECK_EQ_INT(atomic_load(&J.hits[0]), 100);
  for (int i = 1; i <= 100; i++) CHECK_EQ_INT(atomic_load(&J.hits[i]), 1);
  pnn_threadpool_free(p);
}

/* The call that gets index `hold` waits until every index outside it is
 * done. The thread running that call is stuck, so the job only completes
 * if the other threads run the rest, including what is left of the stuck
 * thread's own slice (stealing). */
static atomic_int g_done;
static int g_hold, g_n, g_timed_out;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void hold_one(void *arg, int64_t begin, int64_t end) {
  (void)arg;
  if (g_hold >= begin && g_hold < end) {
    const double t0 = now_s();
    while (atomic_load(&g_done) < g_n - (int)(end - begin))
      if (now_s() - t0 > 10) {
        g_timed_out = 1;
        break;
      }
  }
  atomic_fetch_add(&g_done, (int)(end - begin));
}

TEST(stuck_slice_is_stolen) {
  for (int threads = 2; threads <= 4; threads++) {
    pnn_threadpool *p = pnn_threadpool_create(threads);
    CHECK(p);
    g_n = 8 * threads;
    /* the first and the last index of each thread's slice, in turn */
    for (int h = 0; h < g_n; h++) {
      if (h % 8 != 0 && h % 8 != 7) continue;
      g_hold = h;
      g_timed_out = 0;
      atomic_store(&g_done, 0);
      pnn_threadpool_run(p, g_n, hold_one, NULL);
      CHECK_MSG(!g_timed_out, "threads %d, index %d held: rest not run",
                threads, h);
      CHECK_EQ_INT(atomic_load(&g_done), g_n);
    }
    pnn_threadpool_free(p);
  }
}

/* Create, one job, free, many times: the worker is often still waking for
 * the job when free bumps the generation to stop it. A worker that read
 * `stop` before it took that bump as its job slept forever and free's
 * join hung (under qemu-aarch64 within 2000 cycles in every run measured,
 * rarer natively). The cycles run on a helper thread so that a hang fails
 * this check instead of the whole binary. */
enum { CYCLES = 3000, CYCLE_N = 11 };
static atomic_int g_cycles_done;
static atomic_bool g_create_failed;
static job g_cycle_job;

static void *create_run_free_cycles(void *arg) {
  (void)arg;
  for (int c = 0; c < CYCLES; c++) {
    pnn_threadpool *p = pnn_threadpool_create(2);
    if (!p) {
      atomic_store(&g_create_failed, true);
      break;
    }
    pnn_threadpool_run(p, CYCLE_N, count, &g_cycle_job);
    pnn_threadpool_free(p);
    atomic_store(&g_cycles_done, c + 1);
  }
  return NULL;
}

TEST(pool_freed_right_after_first_job_shuts_down) {
  pthread_t th;
  memset(&g_cycle_job, 0, sizeof g_cycle_job);
  atomic_store(&g_cycles_done, 0);
  CHECK(pthread_create(&th, NULL, create_run_free_cycles, NULL) == 0);
  int last = 0;
  double last_change = now_s();
  /* fails when no cycle completes for 30 s (a cycle takes microseconds,
   * milliseconds under qemu) */
  while (atomic_load(&g_cycles_done) < CYCLES &&
         !atomic_load(&g_create_failed)) {
    const int d = atomic_load(&g_cycles_done);
    if (d != last) last = d, last_change = now_s();
    CHECK_MSG(now_s() - last_change < 30,
              "pool create/run/free cycle %d of %d has not finished in 30 s",
              d + 1, CYCLES);
    nanosleep(&(struct timespec){0, 1000000}, NULL);
  }
  pthread_join(th, NULL);
  CHECK_MSG(!atomic_load(&g_create_failed), "pnn_threadpool_create failed");
  for (int i = 0; i < CYCLE_N; i++)
    CHECK_EQ_INT(atomic_load(&g_cycle_job.hits[i]), CYCLES);
}

TEST(null_pool_runs_inline) {
  memset(&J, 0, sizeof J);
  pnn_threadpool_run(NULL, 50, count, &J);
  CHECK(all_equal(50, 1));
  pnn_threadpool_run(NULL, 0, count, &J);
  CHECK(all_equal(50, 1));
}
