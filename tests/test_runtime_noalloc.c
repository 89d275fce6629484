/* Invoke allocates nothing. This binary replaces malloc and friends
 * (glibc lets an executable define them; the real ones stay reachable as
 * __libc_*) and counts calls made while pnn_interpreter_invoke runs, on a
 * multi-op CNN (conv, pool, reshape, fully connected, softmax, with
 * folded float16 weights), on control flow, with 1 and 2 threads, and on
 * the mediapipe models when they are in the cache. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <string.h>

#include "harness.h"
#include "runtime/runtime.h"
#include "test_runtime_common.h"

/* Sanitizers bring their own allocator: replacing malloc under them would
 * mix heaps, so those builds check nothing here (the plain build does). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PNN_NOALLOC_SKIP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define PNN_NOALLOC_SKIP 1
#endif
#endif

#ifdef PNN_NOALLOC_SKIP
TEST(skipped_under_sanitizers) {
  printf("  (allocation counting needs the plain build)\n");
}
#else
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static atomic_int counting, calls;
/* Fault injection: when > 0, the fail_at-th allocation returns NULL. */
static atomic_int fail_at, allocs;

static void note(void) {
  if (atomic_load(&counting)) atomic_fetch_add(&calls, 1);
}
/* Counts an allocation; true if this one must fail. */
static bool inject(void) {
  note();
  int f = atomic_load(&fail_at);
  if (f > 0 && atomic_fetch_add(&allocs, 1) + 1 == f) {
    errno = ENOMEM; /* as the real allocator does (glibc relies on it) */
    return true;
  }
  return false;
}
/* Live blocks (allocations minus frees), for leak checks. */
static atomic_int live;
static void *track(void *p) {
  if (p) atomic_fetch_add(&live, 1);
  return p;
}
void *malloc(size_t n) {
  return inject() ? NULL : track(__libc_malloc(n));
}
void *calloc(size_t n, size_t s) {
  return inject() ? NULL : track(__libc_calloc(n, s));
}
void *realloc(void *p, size_t n) {
  if (inject()) return NULL;
  void *q = __libc_realloc(p, n);
  if (!p) track(q);
  return q;
}
void free(void *p) {
  if (p) {
    note();
    atomic_fetch_sub(&live, 1);
  }
  __libc_free(p);
}
void *aligned_alloc(size_t a, size_t n) {
  return inject() ? NULL : track(__libc_memalign(a, n));
}
void *memalign(size_t a, size_t n) {
  return inject() ? NULL : track(__libc_memalign(a, n));
}
int posix_memalign(void **out, size_t a, size_t n) {
  *out = inject() ? NULL : track(__libc_memalign(a, n));
  return *out ? 0 : 12;
}

/* Runs invoke `reps` times with counting on; returns the count or -1 if
 * invoke failed. */
static int invoke_counting(pnn_interpreter *in, int reps) {
  atomic_store(&calls, 0);
  atomic_store(&counting, 1);
  pnn_status s = PNN_OK;
  for (int i = 0; i < reps && s == PNN_OK; i++) s = pnn_interpreter_invoke(in);
  atomic_store(&counting, 0);
  return s == PNN_OK ? atomic_load(&calls) : -1;
}

static uint16_t f16(float f) {
  /* Exact for the small integers-over-8 used here. */
  uint32_t b;
  memcpy(&b, &f, 4);
  uint32_t sign = (b >> 16) & 0x8000u;
  int32_t e = (int32_t)((b >> 23) & 0xff) - 127 + 15;
  uint32_t mant = (b >> 13) & 0x3ffu;
  if ((b & 0x7fffffffu) == 0) return (uint16_t)sign;
  return (uint16_t)(sign | ((uint32_t)e << 10) | mant);
}

/* x[1,8,8,2] -conv3x3(4, relu)-> [1,8,8,4] -maxpool2-> [1,4,4,4]
 * -reshape-> [1,64] -fc(10)-> -softmax-> y[1,10]. The conv filter is
 * float16 + DEQUANTIZE, folded at prepare. */
static pnn_model *cnn_model(void) {
  pnn_mb *mb = pnn_mb_new();
  int32_t xs[] = {1, 8, 8, 2}, fs[] = {4, 3, 3, 2}, b4[] = {4};
  int32_t cs[] = {1, 8, 8, 4}, ps[] = {1, 4, 4, 4}, rs[] = {1, 64};
  int32_t ws[] = {10, 64}, b10[] = {10}, ys[] = {1, 10}, two[] = {2};
  uint16_t filt[72];
  for (int i = 0; i < 72; i++) filt[i] = f16((float)((i % 7) - 3) / 8.0f);
  float bias4[4] = {0.1f, -0.1f, 0.2f, 0};
  float w[640], bias10[10] = {0};
  for (int i = 0; i < 640; i++) w[i] = (float)((i * 13) % 11 - 5) / 16.0f;
  int32_t shape[] = {1, 64};
  int x = rt_f32(mb, "x", 4, xs, NULL);
  int fh = pnn_mb_tensor(mb, "filter_f16", PNN_TYPE_FLOAT16, 4, fs, filt);
  int f = rt_f32(mb, "filter", 4, fs, NULL);
  int b = rt_f32(mb, "bias", 1, b4, bias4);
  int c = rt_f32(mb, "conv", 4, cs, NULL);
  int p = rt_f32(mb, "pool", 4, ps, NULL);
  int sh = pnn_mb_tensor(mb, "shape", PNN_TYPE_INT32, 1, two, shape);
  int r = rt_f32(mb, "flat", 2, rs, NULL);
  int wt = rt_f32(mb, "w", 2, ws, w);
  int bt = rt_f32(mb, "b", 1, b10, bias10);
  int l = rt_f32(mb, "logits", 2, ys, NULL);
  int y = rt_f32(mb, "y", 2, ys, NULL);
  pnn_mb_op(mb, PNN_OP_DEQUANTIZE, 0, NULL, 1, &fh, 1, &f);
  pnn_conv2d_options co;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &co);
  co.padding = PNN_PADDING_SAME;
  co.stride_w = co.stride_h = 1;
  co.fused_activation_function = PNN_ACT_RELU;
  pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &co, 3,
            (int32_t[]){x, f, b}, 1, &c);
  pnn_pool2d_options po;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(pool2d), &po);
  po.padding = PNN_PADDING_VALID;
  po.stride_w = po.stride_h = po.filter_width = po.filter_height = 2;
  pnn_mb_op(mb, PNN_OP_MAX_POOL_2D, PNN_OPTIONS_OF(pool2d), &po, 1, &c, 1, &p);
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){p, sh}, 1, &r);
  pnn_mb_op(mb, PNN_OP_FULLY_CONNECTED, 0, NULL, 3, (int32_t[]){r, wt, bt}, 1,
            &l);
  pnn_softmax_options so = {.beta = 1.0f};
  pnn_mb_op(mb, PNN_OP_SOFTMAX, PNN_OPTIONS_OF(softmax), &so, 1, &l, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  return rt_load(mb);
}

/* The counter itself works: otherwise every "0 calls" below is empty. */
TEST(counter_sees_allocations) {
  atomic_store(&calls, 0);
  atomic_store(&counting, 1);
  int live0 = atomic_load(&live);
  void *volatile p = malloc(10);
  CHECK_EQ_INT(atomic_load(&live), live0 + 1);
  free(p);
  atomic_store(&counting, 0);
  CHECK_EQ_INT(atomic_load(&calls), 2);
  CHECK_EQ_INT(atomic_load(&live), live0);
  /* ... and sees the library's own: allocate does allocate. */
  pnn_model *m = cnn_model();
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  atomic_store(&calls, 0);
  atomic_store(&counting, 1);
  pnn_status s = pnn_interpreter_allocate(in);
  atomic_store(&counting, 0);
  CHECK_EQ_INT(s, PNN_OK);
  CHECK(atomic_load(&calls) > 0);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

static void fill(pnn_tensor *t, unsigned seed) {
  uint8_t *d = pnn_tensor_data(t);
  size_t n = pnn_tensor_byte_size(t);
  if (pnn_tensor_type(t) == PNN_TYPE_FLOAT32) {
    for (size_t i = 0; i < n / 4; i++) {
      seed = seed * 1103515245u + 12345u;
      ((float *)d)[i] = (float)((seed >> 16) & 0xff) / 255.0f;
    }
  } else {
    memset(d, 1, n);
  }
}

static void check_model(pnn_model *m, int threads) {
  pnn_interpreter *in = rt_interp(m, threads);
  CHECK(in);
  CHECK_MSG(pnn_interpreter_allocate(in) == PNN_OK, "%s",
            pnn_interpreter_last_error(in));
  for (int i = 0; i < pnn_interpreter_input_count(in); i++)
    fill(pnn_interpreter_input(in, i), 7u + (unsigned)i);
  pnn_interpreter_set_profiling(in, 1);
  int n = invoke_counting(in, 3);
  CHECK_MSG(n == 0, "%d allocation calls during invoke (%s)", n,
            n < 0 ? pnn_interpreter_last_error(in) : "");
  pnn_interpreter_free(in);
}

TEST(cnn_invoke_allocates_nothing) {
  pnn_model *m = cnn_model();
  CHECK(m);
  check_model(m, 1);
  check_model(m, 2);
  /* The softmax output is a distribution: the model really ran. */
  pnn_interpreter *in = rt_interp(m, 2);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
  fill(pnn_interpreter_input(in, 0), 3);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  /* The float16 filter was dequantized once, at prepare. */
  CHECK(in->ctx[0].rt_nodes[0].folded);
  CHECK(in->ctx[0].tensors[2].t.is_constant);
  const float *y = pnn_tensor_data(pnn_interpreter_output(in, 0));
  float sum = 0;
  for (int i = 0; i < 10; i++) sum += y[i];
  CHECK_NEAR(sum, 1.0, 1e-5);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* WHILE (i < 4: i += 1) inside the main graph. */
static pnn_model *while_model(void) {
  static const int32_t s1[] = {1};
  pnn_mb *mb = pnn_mb_new();
  int i = rt_f32(mb, "i", 1, s1, NULL);
  int o = rt_f32(mb, "o", 1, s1, NULL);
  pnn_while__options wo = {.cond_subgraph_index = 1, .body_subgraph_index = 2};
  pnn_mb_op(mb, PNN_OP_WHILE, PNN_OPTIONS_OF(while_), &wo, 1, &i, 1, &o);
  pnn_mb_inputs(mb, 1, &i);
  pnn_mb_outputs(mb, 1, &o);
  float four = 4, one = 1;
  pnn_mb_subgraph(mb, "cond");
  int ci = rt_f32(mb, "i", 1, s1, NULL);
  int lim = rt_f32(mb, "lim", 1, s1, &four);
  int lt = pnn_mb_tensor(mb, "lt", PNN_TYPE_BOOL, 1, s1, NULL);
  rt_binary(mb, PNN_OP_LESS, ci, lim, lt);
  pnn_mb_inputs(mb, 1, &ci);
  pnn_mb_outputs(mb, 1, &lt);
  pnn_mb_subgraph(mb, "body");
  int bi = rt_f32(mb, "i", 1, s1, NULL);
  int k = rt_f32(mb, "one", 1, s1, &one);
  int bo = rt_f32(mb, "i1", 1, s1, NULL);
  rt_binary(mb, PNN_OP_ADD, bi, k, bo);
  pnn_mb_inputs(mb, 1, &bi);
  pnn_mb_outputs(mb, 1, &bo);
  return rt_load(mb);
}

TEST(control_flow_invoke_allocates_nothing) {
  pnn_model *m = while_model();
  CHECK(m);
  check_model(m, 2);
  pnn_model_free(m);
}

/* Every allocation of create + allocate fails in turn: each failure is a
 * status (OUT_OF_MEMORY, with a message once an interpreter exists), never
 * a crash; the next attempt then succeeds and runs. */
static void fail_each_allocation(pnn_model *m, int threads) {
  for (int k = 1; k < 100000; k++) {
    pnn_interpreter *in = NULL;
    pnn_interpreter_options o;
    pnn_interpreter_options_init(&o);
    o.num_threads = threads;
    atomic_store(&allocs, 0);
    int live_before = atomic_load(&live);
    atomic_store(&fail_at, k);
    pnn_status s = pnn_interpreter_create(m, &o, &in);
    if (s == PNN_OK) s = pnn_interpreter_allocate(in);
    bool injected = atomic_load(&allocs) >= k;
    atomic_store(&fail_at, 0);
    if (!injected) {
      /* Past the last allocation: everything must work now. */
      CHECK_MSG(s == PNN_OK, "k=%d: %s", k,
                in ? pnn_interpreter_last_error(in) : "create failed");
      CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
      pnn_interpreter_free(in);
      if (threads == 1) CHECK_EQ_INT(atomic_load(&live), live_before);
      CHECK(k > 5);
      return;
    }
    if (s == PNN_OK) {
      /* Absorbed: a worker thread that could not start just means fewer
       * threads. The interpreter must still work. */
      CHECK_MSG(threads > 1, "k=%d: failure ignored single-threaded", k);
      CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
    } else {
      CHECK_MSG(s == PNN_ERROR_OUT_OF_MEMORY, "k=%d: status %d (%s)", k, (int)s,
                in ? pnn_interpreter_last_error(in) : "");
      if (in) CHECK(strlen(pnn_interpreter_last_error(in)) > 0);
    }
    pnn_interpreter_free(in);
    /* No leak on any failure path (threads keep cached stacks, so only
     * the single-threaded run can be balanced exactly). */
    if (threads == 1)
      CHECK_MSG(atomic_load(&live) == live_before, "k=%d: %d blocks leaked", k,
                atomic_load(&live) - live_before);
  }
  CHECK_MSG(0, "allocation count did not converge");
}

TEST(out_of_memory_at_every_allocation) {
  pnn_model *m = cnn_model();
  CHECK(m);
  fail_each_allocation(m, 1);
  fail_each_allocation(m, 2);
  pnn_model_free(m);
  m = while_model();
  CHECK(m);
  fail_each_allocation(m, 1);
  pnn_model_free(m);
}

/* Every mediapipe model that this build can prepare, when the cache is
 * there (tests/scripts fetch it); the CNN above covers a bare checkout. */
TEST(mediapipe_invoke_allocates_nothing) {
  const char *root = ".cache/mediapipe/mediapipe/modules";
  DIR *dir = opendir(root);
  if (!dir) {
    printf("  (no mediapipe cache at %s: skipped)\n", root);
    return;
  }
  struct dirent *e;
  int checked = 0;
  while ((e = readdir(dir))) {
    if (e->d_name[0] == '.') continue;
    char sub[512];
    snprintf(sub, sizeof(sub), "%s/%s", root, e->d_name);
    DIR *d2 = opendir(sub);
    if (!d2) continue;
    struct dirent *f;
    while ((f = readdir(d2))) {
      size_t len = strlen(f->d_name);
      if (len < 7 || strcmp(f->d_name + len - 7, ".tflite")) continue;
      char path[1024];
      snprintf(path, sizeof(path), "%s/%s", sub, f->d_name);
      pnn_model *m = NULL;
      char err[256];
      if (pnn_model_load_file(path, NULL, &m, err, sizeof(err))) {
        pnn_test_fail(__FILE__, __LINE__, "%s: %s", path, err);
        continue;
      }
      pnn_interpreter *in = rt_interp(m, 2);
      if (pnn_interpreter_allocate(in) == PNN_OK) {
        for (int i = 0; i < pnn_interpreter_input_count(in); i++)
          fill(pnn_interpreter_input(in, i), 11u);
        int n = invoke_counting(in, 1);
        if (n != 0)
          pnn_test_fail(__FILE__, __LINE__, "%s: %d allocation calls (%s)",
                        path, n, n < 0 ? pnn_interpreter_last_error(in) : "");
        checked++;
      } else {
        printf("  (%s not preparable yet: %s)\n", f->d_name,
               pnn_interpreter_last_error(in));
      }
      pnn_interpreter_free(in);
      pnn_model_free(m);
    }
    closedir(d2);
  }
  closedir(dir);
  printf("  (%d mediapipe models invoked without allocating)\n", checked);
}
#endif /* PNN_NOALLOC_SKIP */
