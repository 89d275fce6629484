/* `pocketnn classify`: decodes images, resizes them to the model's input,
 * normalizes, runs the model and prints the top-k labels per image. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "image.h"
#include "metadata.h"

static const char kUsage[] =
    "usage: pocketnn classify --model M --labels L.txt [--top K]\n"
    "           [--mean M] [--std S] [--threads N] [--raw] IMAGE...\n"
    "  Decodes PNG, JPEG or BMP images (gray or RGB, converted to the\n"
    "  model's channel count), resizes them bilinearly to the input HxW of\n"
    "  input 0 (NHWC, batch 1) and prints the top K (default 5) labels with\n"
    "  scores of output 0 and the inference time per image.\n"
    "  Float inputs get (pixel - mean) / std with pixels in [0, 255].\n"
    "  Without --mean/--std, the NormalizationOptions of the model's TFLite\n"
    "  metadata (input 0) are used when present, else mean 0, std 255\n"
    "  (pixels to [0, 1]). A quantized (uint8, int8) input gets that\n"
    "  normalized value quantized with its scale and zero point when\n"
    "  --mean/--std or model metadata give the normalization; otherwise\n"
    "  (or with --raw) uint8 inputs get the raw pixels, int8 inputs\n"
    "  pixel - 128.\n"
    "  Quantized outputs are dequantized with their scale and zero point.\n"
    "  L.txt holds one label per line, in output order.\n";

typedef struct {
  const char *model, *labels;
  long top, threads;
  double mean, std;
  bool have_mean, have_std;
  bool raw;
  char **images;
  int n_images;
} classify_args;

static int parse_args(int argc, char **argv, classify_args *a) {
  memset(a, 0, sizeof *a);
  a->top = 5;
  a->threads = 1;
  a->std = 255.0;
  a->images = calloc((size_t)argc, sizeof *a->images);
  if (!a->images) return cli_error("out of memory");
  for (int i = 1; i < argc; i++) {
    const char *v;
    int m;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(kUsage, stdout);
      return -1;
    } else if ((m = cli_opt_value(argc, argv, &i, "--model", &v)) != 0) {
      if (m < 0) return cli_usage_error(kUsage, "--model needs a file");
      a->model = v;
    } else if ((m = cli_opt_value(argc, argv, &i, "--labels", &v)) != 0) {
      if (m < 0) return cli_usage_error(kUsage, "--labels needs a file");
      a->labels = v;
    } else if ((m = cli_opt_value(argc, argv, &i, "--top", &v)) != 0) {
      if (m < 0 || !cli_parse_long(v, 1, INT_MAX, &a->top))
        return cli_usage_error(kUsage, "--top takes a positive number");
    } else if ((m = cli_threads_option(argc, argv, &i, kUsage, &a->threads))) {
      if (m != 1) return m;
    } else if (strcmp(argv[i], "--raw") == 0) {
      a->raw = true;
    } else if ((m = cli_opt_value(argc, argv, &i, "--mean", &v)) != 0) {
      if (m < 0 || !cli_parse_double(v, &a->mean))
        return cli_usage_error(kUsage, "--mean takes a number");
      a->have_mean = true;
    } else if ((m = cli_opt_value(argc, argv, &i, "--std", &v)) != 0) {
      if (m < 0 || !cli_parse_double(v, &a->std) || a->std == 0)
        return cli_usage_error(kUsage, "--std takes a non-zero number");
      a->have_std = true;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return cli_usage_error(kUsage, "unknown option '%s'", argv[i]);
    } else {
      a->images[a->n_images++] = argv[i];
    }
  }
  if (!a->model) return cli_usage_error(kUsage, "missing --model");
  if (!a->labels) return cli_usage_error(kUsage, "missing --labels");
  if (!a->n_images) return cli_usage_error(kUsage, "no IMAGE given");
  return 0;
}

/* ------------------------------------------------------------ labels */

typedef struct {
  char *text; /* the whole file, lines NUL-terminated in place */
  char **lines;
  int count;
} label_list;

static int load_labels(const char *path, label_list *l) {
  memset(l, 0, sizeof *l);
  FILE *f = fopen(path, "rb");
  if (!f) return cli_error("%s: cannot open labels file", path);
  size_t cap = 0, n = 0;
  for (;;) {
    if (n + 1 >= cap) {
      if (cap >= (64u << 20)) {
        fclose(f);
        return cli_error("%s: labels file too large", path);
      }
      cap = cap ? cap * 2 : 4096;
      char *nt = realloc(l->text, cap);
      if (!nt) {
        fclose(f);
        return cli_error("out of memory");
      }
      l->text = nt;
    }
    size_t got = fread(l->text + n, 1, cap - n - 1, f);
    n += got;
    if (!got) break;
  }
  fclose(f);
  l->text[n] = 0;
  size_t n_lines = 1;
  for (size_t i = 0; i < n; i++) n_lines += l->text[i] == '\n';
  l->lines = calloc(n_lines, sizeof *l->lines);
  if (!l->lines) return cli_error("out of memory");
  char *p = l->text;
  for (;;) {
    char *nl = memchr(p, '\n', (size_t)(l->text + n - p));
    if (nl) *nl = 0;
    size_t len = strlen(p);
    if (len && p[len - 1] == '\r') p[len - 1] = 0;
    l->lines[l->count++] = p;
    if (!nl) break;
    p = nl + 1;
  }
  /* A trailing newline does not make an extra empty label. */
  if (l->count && !l->lines[l->count - 1][0]) l->count--;
  return 0;
}

static void free_labels(label_list *l) {
  free(l->text);
  free(l->lines);
}

/* -------------------------------------------------------- the model */

typedef struct {
  pnn_model *model;
  pnn_interpreter *it;
  pnn_tensor *input, *output;
  int h, w, c;
  size_t n_classes;
  float mean[3], std[3];   /* per channel, for float inputs */
  const char *norm_source; /* where mean/std came from */
  bool quantize_input;     /* quantized input fed normalized floats */
  float in_scale;          /* its scale and zero point */
  int32_t in_zp;
  float *pixels;           /* h * w * c resized image */
  float *scores;           /* n_classes */
  int *order;              /* n_classes, for sorting */
} classifier;

static int check_io(classifier *m, const char *path) {
  pnn_tensor *in = m->input, *out = m->output;
  pnn_type it = pnn_tensor_type(in), ot = pnn_tensor_type(out);
  if (pnn_tensor_rank(in) != 4 || pnn_tensor_dim(in, 0) != 1)
    return cli_error("%s: input 0 must be [1, H, W, C] (NHWC image)", path);
  m->h = pnn_tensor_dim(in, 1);
  m->w = pnn_tensor_dim(in, 2);
  m->c = pnn_tensor_dim(in, 3);
  if (m->h <= 0 || m->w <= 0 || (m->c != 1 && m->c != 3))
    return cli_error("%s: input 0 must have 1 or 3 channels and H, W > 0",
                     path);
  if (it != PNN_TYPE_FLOAT32 && it != PNN_TYPE_UINT8 && it != PNN_TYPE_INT8)
    return cli_error(
        "%s: input 0 has type %s; classify needs float32, "
        "uint8 or int8",
        path, pnn_type_name(it));
  if (ot != PNN_TYPE_FLOAT32 && ot != PNN_TYPE_UINT8 && ot != PNN_TYPE_INT8)
    return cli_error(
        "%s: output 0 has type %s; classify needs float32, "
        "uint8 or int8 scores",
        path, pnn_type_name(ot));
  m->n_classes = pnn_tensor_byte_size(out) / pnn_type_size(ot);
  if (m->n_classes == 0) return cli_error("%s: output 0 is empty", path);
  return 0;
}

/* --mean/--std win; else model metadata (one value or one per channel);
 * else mean 0, std 255. */
static void choose_normalization(classifier *m, const classify_args *a) {
  cli_normalization meta;
  bool have_meta = cli_metadata_normalization(m->model, 0, &meta) == 1 &&
                   (meta.n_mean == 1 || meta.n_mean == m->c) &&
                   (meta.n_std == 1 || meta.n_std == m->c);
  for (int c = 0; c < m->c; c++) {
    m->mean[c] = a->have_mean ? (float)a->mean
                 : have_meta  ? meta.mean[meta.n_mean == 1 ? 0 : c]
                              : 0.0f;
    m->std[c] = a->have_std ? (float)a->std
                : have_meta ? meta.std[meta.n_std == 1 ? 0 : c]
                            : 255.0f;
  }
  bool given = a->have_mean || a->have_std, both = a->have_mean && a->have_std;
  m->norm_source = both                 ? "options"
                   : given && have_meta ? "options + model metadata"
                   : given              ? "options + defaults"
                   : have_meta          ? "model metadata"
                                        : "defaults";
  /* A quantized input takes quantized normalized values when the
   * normalization is known (not the defaults) and --raw is not given. */
  pnn_quant_info q;
  pnn_tensor_quantization(m->input, &q);
  m->quantize_input = pnn_tensor_type(m->input) != PNN_TYPE_FLOAT32 &&
                      !a->raw && (given || have_meta) && q.scale > 0 &&
                      isfinite(q.scale) && q.count <= 1;
  m->in_scale = q.scale;
  m->in_zp = q.zero_point;
  if (pnn_tensor_type(m->input) == PNN_TYPE_FLOAT32 || m->quantize_input)
    printf("normalization: mean %g std %g (%s)%s\n", (double)m->mean[0],
           (double)m->std[0], m->norm_source,
           m->quantize_input ? ", quantized to the input" : "");
}

static int open_classifier(const classify_args *a, classifier *m) {
  memset(m, 0, sizeof *m);
  int rc = cli_load_model(a->model, &m->model);
  if (!rc) rc = cli_create_interpreter(m->model, (int)a->threads, &m->it);
  if (rc) return rc;
  if (pnn_interpreter_allocate(m->it) != PNN_OK)
    return cli_error("%s: prepare failed: %s", a->model,
                     pnn_interpreter_last_error(m->it));
  if (pnn_interpreter_input_count(m->it) < 1 ||
      pnn_interpreter_output_count(m->it) < 1)
    return cli_error("%s: the model needs an input and an output", a->model);
  m->input = pnn_interpreter_input(m->it, 0);
  m->output = pnn_interpreter_output(m->it, 0);
  if ((rc = check_io(m, a->model)) != 0) return rc;
  choose_normalization(m, a);
  m->pixels =
      malloc((size_t)m->h * (size_t)m->w * (size_t)m->c * sizeof(float));
  m->scores = malloc(m->n_classes * sizeof(float));
  m->order = malloc(m->n_classes * sizeof(int));
  if (!m->pixels || !m->scores || !m->order) return cli_error("out of memory");
  return 0;
}

static void close_classifier(classifier *m) {
  free(m->pixels);
  free(m->scores);
  free(m->order);
  pnn_interpreter_free(m->it);
  pnn_model_free(m->model);
}

/* Writes the resized image into the input tensor in its type. */
static void set_input(classifier *m) {
  size_t n = (size_t)m->h * (size_t)m->w * (size_t)m->c;
  void *data = pnn_tensor_data(m->input);
  if (m->quantize_input) {
    const bool u8 = pnn_tensor_type(m->input) == PNN_TYPE_UINT8;
    const float lo = u8 ? 0.f : -128.f, hi = u8 ? 255.f : 127.f;
    for (size_t i = 0; i < n; i++) {
      int c = (int)(i % (size_t)m->c);
      float x = (m->pixels[i] - m->mean[c]) / m->std[c];
      float v = roundf(x / m->in_scale) + (float)m->in_zp;
      v = v < lo ? lo : (v > hi ? hi : v);
      if (u8)
        ((uint8_t *)data)[i] = (uint8_t)v;
      else
        ((int8_t *)data)[i] = (int8_t)v;
    }
    return;
  }
  switch (pnn_tensor_type(m->input)) {
    case PNN_TYPE_FLOAT32: {
      float *d = data;
      for (size_t i = 0; i < n; i++) {
        int c = (int)(i % (size_t)m->c);
        d[i] = (m->pixels[i] - m->mean[c]) / m->std[c];
      }
      break;
    }
    case PNN_TYPE_UINT8: {
      uint8_t *d = data;
      for (size_t i = 0; i < n; i++) d[i] = (uint8_t)lrintf(m->pixels[i]);
      break;
    }
    default: { /* int8 */
      int8_t *d = data;
      for (size_t i = 0; i < n; i++)
        d[i] = (int8_t)(lrintf(m->pixels[i]) - 128);
      break;
    }
  }
}

static void read_scores(classifier *m) {
  const void *data = pnn_tensor_data(m->output);
  pnn_type t = pnn_tensor_type(m->output);
  pnn_quant_info q;
  memset(&q, 0, sizeof q);
  if (t != PNN_TYPE_FLOAT32) pnn_tensor_quantization(m->output, &q);
  for (size_t i = 0; i < m->n_classes; i++) {
    double v = 0;
    cli_element_as_double(t, data, i, &v);
    if (t != PNN_TYPE_FLOAT32 && q.scale > 0) v = (v - q.zero_point) * q.scale;
    m->scores[i] = (float)v;
  }
}

static const float *g_scores; /* qsort has no context argument */
static int by_score(const void *a, const void *b) {
  float x = g_scores[*(const int *)a], y = g_scores[*(const int *)b];
  if (x != y) return x > y ? -1 : 1;
  return *(const int *)a - *(const int *)b;
}

static int classify_one(classifier *m, const classify_args *a,
                        const label_list *labels, const char *path) {
  cli_image img;
  char err[512];
  if (image_load(path, &img, err, sizeof err) != 0) return cli_error("%s", err);
  image_resize_bilinear(&img, m->w, m->h, m->c, m->pixels);
  image_free(&img);
  set_input(m);
  double t0 = cli_now();
  pnn_status st = pnn_interpreter_invoke(m->it);
  double ms = (cli_now() - t0) * 1e3;
  if (st != PNN_OK)
    return cli_error("%s: invoke failed: %s", a->model,
                     pnn_interpreter_last_error(m->it));
  read_scores(m);
  for (size_t i = 0; i < m->n_classes; i++) m->order[i] = (int)i;
  g_scores = m->scores;
  qsort(m->order, m->n_classes, sizeof(int), by_score);
  printf("%s  (%.3f ms)\n", path, ms);
  size_t k = (size_t)a->top < m->n_classes ? (size_t)a->top : m->n_classes;
  for (size_t i = 0; i < k; i++) {
    int c = m->order[i];
    if (c < labels->count)
      printf("  %-24s %.6f\n", labels->lines[c], (double)m->scores[c]);
    else
      printf("  #%-23d %.6f\n", c, (double)m->scores[c]);
  }
  return 0;
}

int cli_classify(int argc, char **argv) {
  classify_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc != 0) {
    free(a.images);
    return rc < 0 ? CLI_EXIT_OK : rc;
  }
  label_list labels;
  classifier m;
  memset(&m, 0, sizeof m);
  rc = load_labels(a.labels, &labels);
  if (!rc) rc = open_classifier(&a, &m);
  for (int i = 0; !rc && i < a.n_images; i++)
    rc = classify_one(&m, &a, &labels, a.images[i]);
  close_classifier(&m);
  free_labels(&labels);
  free(a.images);
  return rc;
}
