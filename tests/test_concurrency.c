/* Concurrency (issue 5): several threads, each with its own interpreter on
 * one shared pnn_model, invoke in a loop; every output must be bit-identical
 * to the single-threaded run of the same input. Some interpreters use their
 * own worker threads (num_threads 2) so the thread pool runs concurrently
 * too. Models: the bundled digits model, a model-builder model with a WHILE
 * loop (per-interpreter subgraph state), and hand_recrop from mediapipe
 * when fetched. Under ThreadSanitizer:
 *   make CC=clang BUILD=build-tsan OPT=-O1 \
 *     CFLAGS=-fsanitize=thread LDFLAGS=-fsanitize=thread \
 *     build-tsan/tests/test_concurrency && build-tsan/tests/test_concurrency */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/model_builder.h"
#include "format_models.h"
#include "harness.h"

enum { N_THREADS = 4, N_INPUTS = 3, N_LOOPS = 25, MAX_OUT = 8 };

typedef struct {
  const pnn_model *model;
  int n_out;
  size_t out_bytes[MAX_OUT];
  uint8_t *expected[N_INPUTS][MAX_OUT]; /* single-threaded outputs */
} shared_case;

typedef struct {
  shared_case *sc;
  int id;
  int num_threads;
  int mismatches, errors, invokes;
  char error[256];
} worker;

/* Deterministic input `seed` for every input tensor. */
static void fill_inputs(pnn_interpreter *it, int seed) {
  for (int i = 0; i < pnn_interpreter_input_count(it); i++) {
    pnn_tensor *t = pnn_interpreter_input(it, i);
    uint8_t *p = pnn_tensor_data(t);
    size_t n = pnn_tensor_byte_size(t);
    if (pnn_tensor_type(t) == PNN_TYPE_FLOAT32) {
      for (size_t k = 0; k < n / 4; k++)
        ((float *)(void *)p)[k] =
            (float)((k * 37u + (unsigned)seed * 11u + (unsigned)i) % 101u) /
                50.0f -
            1.0f;
    } else if (pnn_tensor_type(t) == PNN_TYPE_INT32) {
      for (size_t k = 0; k < n / 4; k++)
        ((int32_t *)(void *)p)[k] = (int32_t)((k + (unsigned)seed) % 3u);
    } else {
      memset(p, seed, n);
    }
  }
}

static pnn_status make_interp(const pnn_model *m, int threads,
                              pnn_interpreter **out) {
  pnn_interpreter_options o;
  pnn_interpreter_options_init(&o);
  o.num_threads = threads;
  pnn_status s = pnn_interpreter_create(m, &o, out);
  if (s == PNN_OK) s = pnn_interpreter_allocate(*out);
  return s;
}

static void *work(void *arg) {
  worker *w = arg;
  shared_case *sc = w->sc;
  pnn_interpreter *it = NULL;
  pnn_status s = make_interp(sc->model, w->num_threads, &it);
  if (s != PNN_OK) {
    snprintf(w->error, sizeof w->error, "thread %d: %s", w->id,
             it ? pnn_interpreter_last_error(it) : pnn_status_string(s));
    w->errors++;
    pnn_interpreter_free(it);
    return NULL;
  }
  for (int loop = 0; loop < N_LOOPS; loop++) {
    int seed = (loop + w->id) % N_INPUTS;
    fill_inputs(it, seed);
    if (pnn_interpreter_invoke(it) != PNN_OK) {
      snprintf(w->error, sizeof w->error, "thread %d: %s", w->id,
               pnn_interpreter_last_error(it));
      w->errors++;
      break;
    }
    w->invokes++;
    for (int o = 0; o < sc->n_out; o++) {
      pnn_tensor *t = pnn_interpreter_output(it, o);
      if (pnn_tensor_byte_size(t) != sc->out_bytes[o] ||
          memcmp(pnn_tensor_data(t), sc->expected[seed][o],
                 sc->out_bytes[o]) != 0)
        w->mismatches++;
    }
  }
  pnn_interpreter_free(it);
  return NULL;
}

/* Single-threaded references, then N_THREADS threads at once. */
static void run_case(const char *name, const pnn_model *m) {
  shared_case sc;
  memset(&sc, 0, sizeof sc);
  sc.model = m;
  pnn_interpreter *it = NULL;
  pnn_status s = make_interp(m, 1, &it);
  CHECK_MSG(s == PNN_OK, "%s: %s", name,
            it ? pnn_interpreter_last_error(it) : pnn_status_string(s));
  sc.n_out = pnn_interpreter_output_count(it);
  CHECK(sc.n_out > 0 && sc.n_out <= MAX_OUT);
  for (int seed = 0; seed < N_INPUTS; seed++) {
    fill_inputs(it, seed);
    CHECK(pnn_interpreter_invoke(it) == PNN_OK);
    for (int o = 0; o < sc.n_out; o++) {
      pnn_tensor *t = pnn_interpreter_output(it, o);
      sc.out_bytes[o] = pnn_tensor_byte_size(t);
      sc.expected[seed][o] = malloc(sc.out_bytes[o] + 1);
      CHECK(sc.expected[seed][o]);
      memcpy(sc.expected[seed][o], pnn_tensor_data(t), sc.out_bytes[o]);
    }
  }
  pnn_interpreter_free(it);
  /* Different inputs must give different outputs, or the comparison
   * below could not catch a thread reading another's data. */
  bool differ = false;
  for (int o = 0; o < sc.n_out; o++)
    if (memcmp(sc.expected[0][o], sc.expected[1][o], sc.out_bytes[o]) != 0)
      differ = true;
  pthread_t th[N_THREADS];
  worker w[N_THREADS];
  for (int i = 0; i < N_THREADS; i++) {
    memset(&w[i], 0, sizeof w[i]);
    w[i].sc = &sc;
    w[i].id = i;
    w[i].num_threads = i % 2 ? 2 : 1;
    CHECK(pthread_create(&th[i], NULL, work, &w[i]) == 0);
  }
  int mism = 0, errs = 0, inv = 0;
  for (int i = 0; i < N_THREADS; i++) {
    pthread_join(th[i], NULL);
    mism += w[i].mismatches;
    errs += w[i].errors;
    inv += w[i].invokes;
    if (w[i].errors) fprintf(stderr, "%s: %s\n", name, w[i].error);
  }
  for (int seed = 0; seed < N_INPUTS; seed++)
    for (int o = 0; o < sc.n_out; o++) free(sc.expected[seed][o]);
  printf("%s: %d threads, %d invokes, %d mismatches\n", name, N_THREADS, inv,
         mism);
  CHECK_MSG(differ, "%s: inputs 0 and 1 give the same outputs", name);
  CHECK_EQ_INT(errs, 0);
  CHECK_EQ_INT(inv, N_THREADS * N_LOOPS);
  CHECK_EQ_INT(mism, 0);
}

TEST(digits_model_shared_by_threads) {
  pnn_model *m = NULL;
  char err[256];
  CHECK_MSG(pnn_model_load_file("models/digits/digits.tflite", NULL, &m, err,
                                sizeof err) == PNN_OK,
            "%s", err);
  run_case("digits", m);
  pnn_model_free(m);
}

/* y = x; i = 0; while (i < 4) { y = y * 0.5 + x0; i++ } with x0 = 1 const:
 * a WHILE whose body subgraph state lives in each interpreter. */
TEST(while_model_shared_by_threads) {
  pnn_mb *mb = pnn_mb_new();
  int32_t v[] = {1, 64}, sc[] = {1};
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 2, v, NULL);
  int i0 = pnn_mb_tensor(mb, "i0", PNN_TYPE_INT32, 1, sc, (int32_t[]){0});
  int yo = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 2, v, NULL);
  int io = pnn_mb_tensor(mb, "i", PNN_TYPE_INT32, 1, sc, NULL);
  pnn_while__options wo = {1, 2};
  pnn_mb_op(mb, PNN_OP_WHILE, PNN_OPTIONS_OF(while_), &wo, 2,
            (int32_t[]){x, i0}, 2, (int32_t[]){yo, io});
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &yo);
  pnn_mb_subgraph(mb, "cond");
  int cy = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 2, v, NULL);
  int ci = pnn_mb_tensor(mb, "i", PNN_TYPE_INT32, 1, sc, NULL);
  int lim = pnn_mb_tensor(mb, "lim", PNN_TYPE_INT32, 1, sc, (int32_t[]){4});
  int cb = pnn_mb_tensor(mb, "c", PNN_TYPE_BOOL, 1, sc, NULL);
  pnn_mb_op(mb, PNN_OP_LESS, 0, NULL, 2, (int32_t[]){ci, lim}, 1, &cb);
  pnn_mb_inputs(mb, 2, (int32_t[]){cy, ci});
  pnn_mb_outputs(mb, 1, &cb);
  pnn_mb_subgraph(mb, "body");
  int by = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 2, v, NULL);
  int bi = pnn_mb_tensor(mb, "i", PNN_TYPE_INT32, 1, sc, NULL);
  int half = pnn_mb_tensor(mb, "half", PNN_TYPE_FLOAT32, 1, sc,
                           (float[]){0.5f});
  int one_f = pnn_mb_tensor(mb, "onef", PNN_TYPE_FLOAT32, 1, sc,
                            (float[]){1.0f});
  int one = pnn_mb_tensor(mb, "one", PNN_TYPE_INT32, 1, sc, (int32_t[]){1});
  int t = pnn_mb_tensor(mb, "t", PNN_TYPE_FLOAT32, 2, v, NULL);
  int ny = pnn_mb_tensor(mb, "ny", PNN_TYPE_FLOAT32, 2, v, NULL);
  int ni = pnn_mb_tensor(mb, "ni", PNN_TYPE_INT32, 1, sc, NULL);
  pnn_mb_op(mb, PNN_OP_MUL, PNN_OPTIONS_OF(mul), NULL, 2,
            (int32_t[]){by, half}, 1, &t);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2,
            (int32_t[]){t, one_f}, 1, &ny);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2,
            (int32_t[]){bi, one}, 1, &ni);
  pnn_mb_inputs(mb, 2, (int32_t[]){by, bi});
  pnn_mb_outputs(mb, 2, (int32_t[]){ny, ni});
  pnn_model *m = NULL;
  pnn_status s = pnn_mb_load(mb, &m);
  CHECK_MSG(s == PNN_OK, "%s", pnn_mb_error(mb));
  pnn_mb_free(mb);
  run_case("while", m);
  pnn_model_free(m);
}

TEST(mediapipe_model_shared_by_threads) {
  pnn_model *m = NULL;
  char err[256];
  const char *path = FM_DIR "holistic_landmark/hand_recrop.tflite";
  if (pnn_model_load_file(path, NULL, &m, err, sizeof err) != PNN_OK) {
    printf("skip: %s (%s)\n", err, FM_FETCH_HINT);
    return;
  }
  run_case("hand_recrop", m);
  pnn_model_free(m);
}
