/* The verifier on bad input: each semantic check violated on purpose (with
 * the expected message), structural damage at the FlatBuffer level,
 * truncation, seeded random byte flips, and a shared-table bomb. Every
 * case must come back as a clean error; `make asan` runs these under
 * AddressSanitizer + UndefinedBehaviorSanitizer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format/flatbuf_build.h"
#include "format/flatbuf_read.h"
#include "format/model_builder.h"
#include "format/model.h"
#include "format_gen.h"
#include "format_models.h"
#include "harness.h"
#include "util/pool.h"

/* Decodes bytes; returns the status and leaves the message in err. */
static pnn_status try_decode(const uint8_t *bytes, size_t size, char *err,
                             size_t n, pnn_model_def *out_copy);

/* Touches every decoded array so the sanitizers see any bad pointer. */
static uint64_t walk(const pnn_model_def *m) {
  uint64_t h = m->version + strlen(m->description);
  for (int i = 0; i < m->n_buffers; i++)
    if (m->buffers[i].size)
      h += m->buffers[i].data[0] + m->buffers[i].data[m->buffers[i].size - 1];
  for (int i = 0; i < m->n_opcodes; i++)
    h += (uint64_t)m->opcodes[i].builtin +
         (m->opcodes[i].custom_code ? strlen(m->opcodes[i].custom_code) : 0);
  for (int s = 0; s < m->n_subgraphs; s++) {
    const pnn_subgraph_def *g = &m->subgraphs[s];
    h += strlen(g->name);
    for (int i = 0; i < g->inputs.count; i++)
      h += g->tensors[g->inputs.data[i]].rank;
    for (int i = 0; i < g->outputs.count; i++)
      h += g->tensors[g->outputs.data[i]].rank;
    for (int t = 0; t < g->n_tensors; t++) {
      const pnn_tensor_def *td = &g->tensors[t];
      h += strlen(td->name);
      for (int d = 0; d < td->rank; d++) h += (uint64_t)td->shape[d];
      for (int d = 0; d < td->signature_rank; d++)
        h += (uint64_t)td->shape_signature[d];
      for (int q = 0; q < td->quant.n_scale; q++)
        h += (uint64_t)(td->quant.scale[q] > 0);
      for (int q = 0; q < td->quant.n_zero_point; q++)
        h += (uint64_t)td->quant.zero_point[q];
      if (td->sparsity)
        for (int d = 0; d < td->sparsity->n_dim_metadata; d++) {
          const pnn_dim_metadata_def *dm = &td->sparsity->dim_metadata[d];
          for (int k = 0; k < dm->segments.count; k++)
            h += (uint64_t)dm->segments.data[k];
          for (int k = 0; k < dm->indices.count; k++)
            h += (uint64_t)dm->indices.data[k];
        }
      const pnn_buffer_def *b = pnn_model_tensor_buffer(m, td);
      if (b) h += b->data[b->size - 1];
    }
    for (int o = 0; o < g->n_ops; o++) {
      const pnn_op_def *op = &g->ops[o];
      h += (uint64_t)m->opcodes[op->opcode_index].builtin;
      for (int i = 0; i < op->inputs.count; i++)
        if (op->inputs.data[i] >= 0) h += g->tensors[op->inputs.data[i]].rank;
      for (int i = 0; i < op->outputs.count; i++)
        h += g->tensors[op->outputs.data[i]].rank;
      for (int i = 0; i < op->mutating_variable_inputs.count; i++)
        h += op->mutating_variable_inputs.data[i];
      if (op->custom_options_size)
        h += op->custom_options[0] +
             op->custom_options[op->custom_options_size - 1];
    }
  }
  for (int i = 0; i < m->n_metadata; i++)
    h += strlen(m->metadata[i].name) + m->buffers[m->metadata[i].buffer].size;
  for (int i = 0; i < m->n_signatures; i++) {
    const pnn_signature_def *s = &m->signatures[i];
    const pnn_subgraph_def *g = &m->subgraphs[s->subgraph_index];
    for (int k = 0; k < s->n_inputs; k++)
      h += strlen(s->inputs[k].name) +
           g->tensors[s->inputs[k].tensor_index].rank;
    for (int k = 0; k < s->n_outputs; k++)
      h += strlen(s->outputs[k].name) +
           g->tensors[s->outputs[k].tensor_index].rank;
  }
  return h;
}

static pnn_status try_decode(const uint8_t *bytes, size_t size, char *err,
                             size_t n, pnn_model_def *out_copy) {
  pnn_pool pool;
  pnn_model_def m;
  pnn_pool_init(&pool);
  pnn_status st = pnn_model_decode(bytes, size, &pool, &m, err, n);
  if (st == PNN_OK) {
    volatile uint64_t sink = walk(&m);
    (void)sink;
  }
  if (out_copy) *out_copy = m;
  pnn_pool_free(&pool);
  return st;
}

/* Builds spec s and checks the decode fails with a message containing
 * `want` (or succeeds when want == NULL). Returns false and fills why. */
static bool expect(const fg_spec *s, const char *want, char *why, size_t n) {
  size_t size;
  uint8_t *bytes = fg_build(s, &size);
  if (!bytes) {
    snprintf(why, n, "generator failed");
    return false;
  }
  char err[512] = "";
  pnn_status st = try_decode(bytes, size, err, sizeof err, NULL);
  free(bytes);
  if (!want) {
    if (st == PNN_OK) return true;
    snprintf(why, n, "expected success, got %d: %s", st, err);
    return false;
  }
  if (st != PNN_ERROR_INVALID_MODEL || !strstr(err, want)) {
    snprintf(why, n, "expected \"%s\", got status %d: \"%s\"", want, st, err);
    return false;
  }
  return true;
}

/* One semantic case: start from the valid model with every feature on,
 * apply `change`, expect `want`. */
#define CASE(want, change)                                   \
  do {                                                       \
    fg_spec s;                                               \
    char why[768];                                           \
    fg_defaults(&s);                                         \
    s.quant = s.sparse = s.call_once = s.custom = true;      \
    s.n_subgraphs = 2;                                       \
    change;                                                  \
    CHECK_MSG(expect(&s, want, why, sizeof why), "%s", why); \
  } while (0)

TEST(valid_baselines) {
  CASE(NULL, (void)0);
  CASE(NULL, s.op_in1 = -1);      /* absent optional input */
  CASE(NULL, s.n_zero_point = 0); /* scales without zero points */
  CASE(NULL, s.weights_type = PNN_TYPE_INT4; s.weights_bytes = 4);
  CASE(NULL, s.weights_type = PNN_TYPE_STRING; s.weights_bytes = 7);
  CASE(NULL, s.weights_offset_form = true; s.large_custom = true);
  CASE(NULL, s.n_scale = 1; s.n_zero_point = 1; s.quantized_dimension = 9);
  CASE(NULL, s.n_traversal = 3; s.n_block_map = 1; s.n_dim_metadata = 3);
}

TEST(bad_indices) {
  CASE(
      "subgraph 0 op 0: opcode_index 7 out of range (model has 3 operator "
      "codes)",
      s.opcode_index = 7);
  CASE(
      "subgraph 0 op 0 (ADD): input 1 is tensor 9, out of range (subgraph "
      "has 4 tensors)",
      s.op_in1 = 9);
  CASE("subgraph 0 op 0 (ADD): input 1 is tensor -2", s.op_in1 = -2);
  CASE("subgraph 0 op 0 (ADD): output 0 is tensor -1", s.op_out = -1);
  CASE("subgraph 0 op 0 (ADD): output 0 is tensor 4", s.op_out = 4);
  CASE("subgraph 0 op 0 (ADD): intermediate 0 is tensor 5", s.intermediate = 5);
  CASE("subgraph 0: input 0 is tensor 4, out of range", s.sg_in = 4);
  CASE("subgraph 0: output 0 is tensor -1", s.sg_out = -1);
  CASE(
      "subgraph 0 tensor 1 (weights): buffer 40 out of range (model has 3 "
      "buffers)",
      s.weights_buffer = 40);
  CASE("metadata 0 (meta): buffer 9 out of range (model has 3 buffers)",
       s.metadata_buffer = 9);
  CASE("metadata_buffer[0] = 3 out of range (model has 3 buffers)",
       s.metadata_buffer_vec = 3);
  CASE("metadata_buffer[0] = -1 out of range", s.metadata_buffer_vec = -1);
  CASE(
      "signature 0 (serve): subgraph_index 4 out of range (model has 2 "
      "subgraphs)",
      s.sig_subgraph = 4);
  CASE(
      "signature 0 (serve): output 0 (y): tensor_index 4 out of range "
      "(subgraph has 4 tensors)",
      s.sig_tensor = 4);
  CASE(
      "subgraph 0 op 1 (CALL_ONCE): init_subgraph_index 5 out of range "
      "(model has 2 subgraphs)",
      s.init_subgraph = 5);
  CASE("init_subgraph_index -1 out of range", s.init_subgraph = -1);
  CASE("init_subgraph_index 1 out of range (model has 1 subgraphs)",
       s.n_subgraphs = 1);
  CASE("builtin_options type 200 is not in the schema", s.options_type = 200);
  CASE("the model has no subgraphs", s.n_subgraphs = 0);
}

TEST(bad_shapes_and_buffers) {
  CASE("subgraph 0 tensor 1 (weights): shape[0] = -3 is negative",
       s.weights_dim0 = -3);
  CASE("subgraph 0 tensor 1 (weights): shape_signature[0] = -2 is below -1",
       s.weights_sig0 = -2);
  CASE(
      "subgraph 0 tensor 1 (weights): buffer 1 holds 28 bytes but shape and "
      "type float32 need 32",
      s.weights_bytes = 28);
  CASE("buffer 1 holds 32 bytes but shape and type int4 need 4",
       s.weights_type = PNN_TYPE_INT4);
  CASE("buffer 1 holds 32 bytes but shape and type float16 need 16",
       s.weights_type = PNN_TYPE_FLOAT16);
  CASE("type 99 is not a TensorType", s.weights_type = 99);
  CASE("type -1 is not a TensorType", s.weights_type = -1);
  /* 2^31-1 squared elements of 8 bytes overflows 64 bits */
  CASE("element count times type size overflows",
       s.weights_type = PNN_TYPE_INT64;
       s.weights_dim0 = 0x7fffffff; s.weights_dim1 = 0x7fffffff);
  CASE("need 34359738352", s.weights_dim0 = 0x7fffffff);
  CASE("buffer 1: data at offset", s.weights_offset_form = true;
       s.weights_offset_bump = 1000);
  CASE("lies outside the file", s.weights_offset_form = true;
       s.weights_offset_bump = UINT64_MAX - 5000);
  CASE("subgraph 0 op 2 (MyCustom): large custom options at offset",
       s.large_custom = true;
       s.large_custom_bump = 3);
  CASE("lie outside the file", s.large_custom = true;
       s.large_custom_bump = UINT64_MAX - 100000);
}

TEST(bad_quantization) {
  CASE(
      "subgraph 0 tensor 2 (output): quantization scale[0] = 0 is not "
      "finite and > 0",
      s.scale0 = 0.0f);
  CASE("scale[0] = -1 is not finite", s.scale0 = -1.0f);
  CASE("scale[0] = nan is not finite", s.scale0 = NAN);
  CASE("scale[0] = inf is not finite", s.scale0 = INFINITY);
  CASE("quantization has 1 zero points for 2 scales", s.n_zero_point = 1);
  CASE("quantized_dimension 2 out of range for rank 2",
       s.quantized_dimension = 2);
  CASE("quantized_dimension -1 out of range", s.quantized_dimension = -1);
  CASE("3 per-channel scales but dimension 0 has size 2", s.n_scale = 3;
       s.n_zero_point = 3);
}

TEST(bad_sparsity) {
  CASE(
      "subgraph 0 tensor 3 (sparse_w): sparsity.traversal_order has 3 "
      "entries, expected rank 2 + 0 block dims",
      s.n_traversal = 3;
      s.n_dim_metadata = 3);
  CASE("sparsity.traversal_order[0] = 5 out of range [0, 2)", s.traversal0 = 5);
  CASE("sparsity.traversal_order[0] = -1 out of range", s.traversal0 = -1);
  CASE("sparsity has 1 dim_metadata for 2 traversal_order entries",
       s.n_dim_metadata = 1);
  CASE("sparsity.block_map[0] = 7 out of range [0, 2)", s.n_traversal = 3;
       s.n_block_map = 1; s.n_dim_metadata = 3; s.block_map0 = 7);
  CASE("sparsity.dim_metadata[1].format 4 is not in the schema",
       s.dm1_format = 4);
}

TEST(bad_identifier_and_tiny_files) {
  CASE("missing file identifier \"TFL3\"", s.ident = "TFL2");
  char err[256];
  uint8_t tiny[8] = {8, 0, 0, 0, 'T', 'F', 'L', '3'};
  for (size_t n = 0; n <= sizeof tiny; n++) {
    pnn_status st = try_decode(tiny, n, err, sizeof err, NULL);
    CHECK_EQ_INT(st, PNN_ERROR_INVALID_MODEL);
    CHECK(err[0]);
  }
  CHECK_EQ_INT(try_decode(NULL, 0, err, sizeof err, NULL),
               PNN_ERROR_INVALID_MODEL);
  /* a model-sized but empty error buffer is fine */
  CHECK_EQ_INT(try_decode(tiny, 8, NULL, 0, NULL), PNN_ERROR_INVALID_MODEL);
}

/* ------------------------------------------------------ structural */

/* Little-endian writes into a hand-made buffer. */
static void put32(uint8_t *b, size_t pos, uint32_t v) {
  memcpy(b + pos, &v, 4);
}
static void put16(uint8_t *b, size_t pos, uint16_t v) {
  memcpy(b + pos, &v, 2);
}

/* A 64-byte buffer: root uoffset -> table at 16 whose vtable is at 8:
 * vtable {vsize 8, tsize 12, slot0 at +4 (u32 uoffset), slot1 at +8 (i32)}.
 * slot 0 points at a vector at 32: count 3, elements 1,2,3. */
static void mini(uint8_t *b) {
  memset(b, 0, 64);
  put32(b, 0, 16);
  put16(b, 8, 8);
  put16(b, 10, 12);
  put16(b, 12, 4);
  put16(b, 14, 8);
  put32(b, 16, 8);  /* soffset: vtable at 16 - 8 */
  put32(b, 20, 12); /* uoffset at 20 -> 32 */
  put32(b, 24, 77);
  put32(b, 32, 3);
  put32(b, 36, 1);
  put32(b, 40, 2);
  put32(b, 44, 3);
}

static pnn_status mini_read(uint8_t *b, size_t size, size_t elem, char *why,
                            size_t n) {
  pnn_fb fb;
  pnn_fb_table t;
  pnn_fb_vec v;
  int32_t x;
  pnn_fb_init(&fb, b, size);
  pnn_status st = pnn_fb_root(&fb, &t);
  if (!st) st = pnn_fb_i32(&fb, &t, 1, 0, &x);
  if (!st) st = pnn_fb_vector(&fb, &t, 0, elem, &v);
  snprintf(why, n, "%s", fb.reason);
  return st;
}

TEST(flatbuffer_primitives) {
  uint8_t b[64];
  char why[200];
  pnn_fb fb;
  pnn_fb_table t;
  pnn_fb_vec v;
  int32_t x;
  mini(b);
  pnn_fb_init(&fb, b, sizeof b);
  CHECK_EQ_INT(pnn_fb_root(&fb, &t), PNN_OK);
  CHECK_EQ_INT(pnn_fb_i32(&fb, &t, 1, 0, &x), PNN_OK);
  CHECK_EQ_INT(x, 77);
  CHECK_EQ_INT(pnn_fb_i32(&fb, &t, 2, -5, &x), PNN_OK); /* past vtable */
  CHECK_EQ_INT(x, -5);
  CHECK_EQ_INT(pnn_fb_vector(&fb, &t, 0, 4, &v), PNN_OK);
  CHECK_EQ_INT(v.count, 3);
  CHECK_EQ_INT(pnn_fb_vec_u32(&fb, &v, 2), 3);
  /* each damage is caught, with a reason */
  struct {
    size_t pos;
    uint32_t val;
    int width;
    size_t elem;
    const char *want;
  } cases[] = {
      {0, 17, 4, 4, "not 4-byte aligned"},
      {0, 64, 4, 4, "outside the buffer"},
      {0, 0, 4, 4, "outside the buffer"},
      {16, 0x80000000u, 4, 4, "vtable at"},
      {16, (uint32_t)-60, 4, 4, "outside the buffer"},
      {16, 9, 4, 4, "not 2-byte aligned"},
      {8, 3, 2, 4, "bad vtable size"},
      {8, 2, 2, 4, "bad vtable size"},
      {8, 0xfff0, 2, 4, "runs past the end"},
      {10, 60, 2, 4, "inline size"},
      {10, 2, 2, 4, "inline size"},
      {14, 10, 2, 4, "lies outside the table"},
      {12, 6, 2, 4, "not 4-byte aligned"},
      {12, 2, 2, 4, "lies outside the table"},
      {20, 44, 4, 4, "points outside"},
      {32, 8, 4, 4, "run past the end"},
      {32, 0xffffffffu, 4, 8, "run past the end"},
      {32, 0x20000001u, 4, 8, "run past the end"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mini(b);
    if (cases[i].width == 4)
      put32(b, cases[i].pos, cases[i].val);
    else
      put16(b, cases[i].pos, (uint16_t)cases[i].val);
    pnn_status st = mini_read(b, sizeof b, cases[i].elem, why, sizeof why);
    CHECK_MSG(st == PNN_ERROR_INVALID_MODEL && strstr(why, cases[i].want),
              "case %zu: status %d reason \"%s\", want \"%s\"", i, st, why,
              cases[i].want);
  }
  /* strings: the NUL must be inside the buffer */
  mini(b);
  put32(b, 32, 3);
  memcpy(b + 36, "abc", 4);
  const char *s;
  uint32_t len;
  pnn_fb_init(&fb, b, sizeof b);
  CHECK_EQ_INT(pnn_fb_root(&fb, &t), PNN_OK);
  CHECK_EQ_INT(pnn_fb_string(&fb, &t, 0, &s, &len), PNN_OK);
  CHECK(len == 3 && strcmp(s, "abc") == 0);
  b[39] = 'd';
  CHECK_EQ_INT(pnn_fb_string(&fb, &t, 0, &s, &len), PNN_ERROR_INVALID_MODEL);
  CHECK(strstr(fb.reason, "NUL"));
  put32(b, 32, 27); /* 36 + 27 = 63: the terminator would be byte 63 */
  b[63] = 'x';
  CHECK_EQ_INT(pnn_fb_string(&fb, &t, 0, &s, &len), PNN_ERROR_INVALID_MODEL);
  put32(b, 32, 28); /* terminator would be past the end */
  CHECK_EQ_INT(pnn_fb_string(&fb, &t, 0, &s, &len), PNN_ERROR_INVALID_MODEL);
  /* unions: a type without a value */
  mini(b);
  pnn_fb_init(&fb, b, sizeof b);
  CHECK_EQ_INT(pnn_fb_root(&fb, &t), PNN_OK);
  uint8_t type;
  pnn_fb_table val;
  put32(b, 24, 5); /* slot 1 as a union type byte 5; slot 2 absent */
  CHECK_EQ_INT(pnn_fb_union(&fb, &t, 1, &type, &val), PNN_ERROR_INVALID_MODEL);
  CHECK(strstr(fb.reason, "no value"));
  /* depth bound */
  CHECK_EQ_INT(pnn_fb_table_at(&fb, 16, PNN_FB_MAX_DEPTH + 1, &val),
               PNN_ERROR_INVALID_MODEL);
  CHECK(strstr(fb.reason, "deeper"));
  /* vector-of-tables element out of range */
  pnn_fb_vec tv = {36, 3};
  CHECK_EQ_INT(pnn_fb_vector_table(&fb, &tv, 3, 1, &val),
               PNN_ERROR_INVALID_MODEL);
}

/* Many offsets pointing at one big table: without the work budget this
 * would decode quadratically. */
TEST(shared_table_bomb) {
  pnn_fbb b;
  pnn_fbb_init(&b);
  enum { N_TENSORS = 2000, N_REFS = 20000 };
  static pnn_fb_ref refs[N_REFS];
  int32_t shape[1] = {1};
  pnn_fb_ref sh = pnn_fbb_vector(&b, shape, 4, 1, 4);
  pnn_fbb_start_table(&b);
  pnn_fbb_add_ref(&b, 0, sh);
  pnn_fb_ref tensor = pnn_fbb_end_table(&b);
  for (int i = 0; i < N_TENSORS; i++) refs[i] = tensor;
  pnn_fb_ref tv = pnn_fbb_vector_refs(&b, refs, N_TENSORS);
  pnn_fbb_start_table(&b);
  pnn_fbb_add_ref(&b, 0, tv);
  pnn_fb_ref sg = pnn_fbb_end_table(&b);
  for (int i = 0; i < N_REFS; i++) refs[i] = sg;
  pnn_fb_ref sgv = pnn_fbb_vector_refs(&b, refs, N_REFS);
  pnn_fbb_start_table(&b);
  pnn_fbb_add_u32(&b, 0, 3, 0);
  pnn_fbb_add_ref(&b, 2, sgv);
  pnn_fb_ref root = pnn_fbb_end_table(&b);
  CHECK_EQ_INT(pnn_fbb_finish(&b, root, "TFL3"), PNN_OK);
  char err[512];
  pnn_status st =
      try_decode(pnn_fbb_data(&b), pnn_fbb_size(&b), err, sizeof err, NULL);
  pnn_fbb_free(&b);
  CHECK_EQ_INT(st, PNN_ERROR_INVALID_MODEL);
  CHECK_MSG(strstr(err, "reuses the same tables"), "message: %s", err);
}

/* ------------------------------------------------ truncation, flips */

/* True if bytes[cut..size) is a short run of zeros: alignment padding at
 * the end that nothing refers to, so dropping it leaves a valid model. */
static bool only_padding_cut(const uint8_t *bytes, size_t size, size_t cut) {
  if (size - cut >= 16) return false;
  for (size_t i = cut; i < size; i++)
    if (bytes[i]) return false;
  return true;
}

/* Every cut of bytes[0..size) at k*size/64 (and at every byte when
 * every_byte) must fail cleanly, except a cut of trailing padding. */
static bool truncations(const uint8_t *bytes, size_t size, bool every_byte,
                        char *why, size_t n) {
  char err[512];
  size_t steps = every_byte ? size : 64;
  for (size_t k = 0; k < steps; k++) {
    size_t cut = every_byte ? k : size * k / 64;
    /* a fresh allocation of exactly `cut` bytes so ASan sees overreads */
    uint8_t *copy = malloc(cut ? cut : 1);
    if (!copy) return false;
    memcpy(copy, bytes, cut);
    err[0] = '\0';
    pnn_status st = try_decode(copy, cut, err, sizeof err, NULL);
    free(copy);
    if (st == PNN_OK && only_padding_cut(bytes, size, cut)) continue;
    if (st != PNN_ERROR_INVALID_MODEL || !err[0]) {
      snprintf(why, n, "cut at %zu of %zu: status %d \"%s\"", cut, size, st,
               err);
      return false;
    }
  }
  return true;
}

TEST(truncated_generated_model) {
  fg_spec s;
  fg_defaults(&s);
  s.quant = s.sparse = s.call_once = s.custom = true;
  s.n_subgraphs = 2;
  char why[768];
  for (int form = 0; form < 2; form++) {
    s.weights_offset_form = s.large_custom = form == 1;
    size_t size;
    uint8_t *bytes = fg_build(&s, &size);
    CHECK(bytes);
    bool ok = truncations(bytes, size, true, why, sizeof why);
    free(bytes);
    CHECK_MSG(ok, "form %d: %s", form, why);
  }
}

TEST(truncated_real_models) {
  const int pick[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
  for (size_t i = 0; i < sizeof pick / sizeof pick[0]; i++) {
    size_t size;
    uint8_t *bytes = fm_read_file(fm_models[pick[i]], &size);
    CHECK_MSG(bytes, "%s missing: %s", fm_models[pick[i]], FM_FETCH_HINT);
    char why[768];
    bool ok = truncations(bytes, size, false, why, sizeof why);
    free(bytes);
    CHECK_MSG(ok, "%s: %s", fm_models[pick[i]], why);
  }
}

/* xorshift64*: a fixed-seed generator so failures reproduce. */
static uint64_t rng_next(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 0x2545F4914F6CDD1DULL;
}

/* `iters` rounds of 1-4 random byte changes; returns how many decodes
 * were rejected (all must be clean: INVALID_MODEL with a message, or OK). */
static long flip_rounds(const uint8_t *orig, size_t size, long iters,
                        uint64_t seed, char *why, size_t n) {
  uint8_t *b = malloc(size);
  if (!b) return -1;
  long rejected = 0;
  char err[512];
  for (long it = 0; it < iters; it++) {
    memcpy(b, orig, size);
    int flips = 1 + (int)(rng_next(&seed) % 4);
    for (int f = 0; f < flips; f++) {
      size_t pos = rng_next(&seed) % size;
      uint64_t r = rng_next(&seed);
      if (r % 3 == 2 && size >= 4) {
        /* an aligned word set to a boundary value: hits offsets, counts
         * and indices far more often than random bytes do */
        static const uint32_t edge[] = {
            0,           1,           2,           3,           4,
            0x7fffffffu, 0x80000000u, 0xfffffffcu, 0xffffffffu, 0x10000u};
        uint32_t v = edge[(r >> 8) % (sizeof edge / sizeof edge[0])];
        memcpy(
            b + ((pos & ~(size_t)3) > size - 4 ? size - 4 : pos & ~(size_t)3),
            &v, 4);
      } else {
        /* single-bit flips and random bytes (e.g. 0xff in a count) */
        b[pos] = (r & 1) ? (uint8_t)(b[pos] ^ (1u << ((r >> 1) % 8)))
                         : (uint8_t)(r >> 8);
      }
    }
    err[0] = '\0';
    pnn_status st = try_decode(b, size, err, sizeof err, NULL);
    if (st == PNN_OK) continue;
    if (st != PNN_ERROR_INVALID_MODEL || !err[0]) {
      snprintf(why, n, "iteration %ld: status %d \"%s\"", it, st, err);
      free(b);
      return -1;
    }
    rejected++;
  }
  free(b);
  return rejected;
}

TEST(random_flips_generated_model) {
  fg_spec s;
  fg_defaults(&s);
  s.quant = s.sparse = s.call_once = s.custom = true;
  s.n_subgraphs = 2;
  s.weights_offset_form = s.large_custom = true;
  size_t size;
  uint8_t *bytes = fg_build(&s, &size);
  CHECK(bytes);
  char why[768] = "";
  long rejected =
      flip_rounds(bytes, size, 10000, 0x9E3779B97F4A7C15ULL, why, sizeof why);
  free(bytes);
  CHECK_MSG(rejected >= 0, "%s", why);
  /* most of this small model is structure; a verifier that rejected
   * nothing would be broken */
  CHECK_MSG(rejected > 3000, "only %ld of 10000 damaged models rejected",
            rejected);
  printf("random flips: %ld of 10000 rejected\n", rejected);
}

TEST(random_flips_real_model) {
  size_t size;
  uint8_t *bytes = fm_read_file(fm_models[6], &size);
  CHECK_MSG(bytes, "%s missing: %s", fm_models[6], FM_FETCH_HINT);
  /* Flips confined to the structured head of the file (weights dominate
   * the tail, where most flips are harmless). */
  char why[768] = "";
  size_t head = size < 16384 ? size : 16384;
  uint8_t *b = malloc(size);
  CHECK(b);
  uint64_t seed = 12345;
  long rejected = 0;
  for (int it = 0; it < 2000; it++) {
    size_t range = it % 2 ? size : head;
    memcpy(b, bytes, size);
    size_t pos = rng_next(&seed) % range;
    b[pos] ^= (uint8_t)(1u << (rng_next(&seed) % 8));
    char err[512] = "";
    pnn_status st = try_decode(b, size, err, sizeof err, NULL);
    if (st == PNN_OK) continue;
    if (st != PNN_ERROR_INVALID_MODEL || !err[0]) {
      snprintf(why, sizeof why, "iteration %d: status %d \"%s\"", it, st, err);
      break;
    }
    rejected++;
  }
  free(b);
  free(bytes);
  CHECK_MSG(!why[0], "%s", why);
  printf("real model flips: %ld of 2000 rejected\n", rejected);
}

/* An op whose options union holds another op's table is refused at load:
 * its kernel would read one struct through another's fields. */
TEST(options_union_of_another_op_is_refused) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {1, 2, 2, 1};
  int32_t x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 4, shape, NULL);
  int32_t y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 4, shape, NULL);
  int32_t new_shape[] = {4};
  pnn_reshape_options ro = {.new_shape = {new_shape, 1}};
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(reshape), &ro, 1, &x, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  uint8_t *bytes = NULL;
  size_t size = 0;
  pnn_status st = pnn_mb_finish(mb, &bytes, &size);
  pnn_mb_free(mb);
  CHECK_MSG(st == PNN_OK, "builder failed");
  pnn_model *m = NULL;
  char err[256] = "";
  st = pnn_model_load_buffer(bytes, size, NULL, &m, err, sizeof err);
  free(bytes);
  CHECK(st == PNN_ERROR_INVALID_MODEL);
  CHECK(m == NULL);
  CHECK_MSG(strstr(err, "op 0 (ADD)") && strstr(err, "ReshapeOptions") &&
                strstr(err, "AddOptions"),
            "message: %s", err);
}
