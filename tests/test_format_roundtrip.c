/* Writer round trips: def -> write -> decode -> compare, for constructed
 * models covering every field kind (every options table of both unions,
 * filled generically with non-default values), both buffer forms, the
 * FlatBuffer builder's own invariants, writer error paths, and
 * read -> write -> read on the mediapipe models when they are present. */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/compare.h"
#include "format/flatbuf_build.h"
#include "format/model.h"
#include "format/model_builder.h"
#include "format/writer.h"
#include "harness.h"
#include "util/pool.h"

/* ------------------------------------------------------------ helpers */

typedef struct decoded {
  pnn_pool pool;
  pnn_model_def def;
  uint8_t *bytes;
  size_t size;
} decoded;

static void decoded_free(decoded *d) {
  pnn_pool_free(&d->pool);
  free(d->bytes);
  memset(d, 0, sizeof *d);
}

/* Writes m (with `flags`) and decodes the result into *out. */
static pnn_status write_and_decode(const pnn_model_def *m, uint32_t flags,
                                   decoded *out, char *err, size_t n) {
  memset(out, 0, sizeof *out);
  pnn_pool_init(&out->pool);
  pnn_write_options o = {.flags = flags};
  pnn_status st = pnn_model_write_ex(m, &o, &out->bytes, &out->size, err, n);
  if (st != PNN_OK) return st;
  return pnn_model_decode(out->bytes, out->size, &out->pool, &out->def, err, n);
}

/* Round trip through both buffer forms; the first difference or error
 * goes to why. */
static bool round_trip(const pnn_model_def *m, char *why, size_t n) {
  for (uint32_t flags = 0; flags <= PNN_WRITE_EXTERNAL_DATA; flags++) {
    decoded d;
    char err[256];
    pnn_status st = write_and_decode(m, flags, &d, err, sizeof err);
    bool same = st == PNN_OK && pnn_model_def_equal(m, &d.def, why, n);
    if (st != PNN_OK) snprintf(why, n, "flags %u: %s", (unsigned)flags, err);
    decoded_free(&d);
    if (!same) return false;
  }
  return true;
}

/* ------------------------------------------- FlatBuffer builder itself */

TEST(fbb_vtables_are_shared_and_vectors_aligned) {
  pnn_fbb b;
  pnn_fbb_init(&b);
  uint8_t data[5] = {1, 2, 3, 4, 5};
  pnn_fb_ref v = pnn_fbb_vector(&b, data, 1, 5, 16);
  pnn_fb_ref t[2];
  for (int i = 0; i < 2; i++) {
    pnn_fbb_start_table(&b);
    pnn_fbb_add_i32(&b, 1, 10 + i, 0);
    pnn_fbb_add_ref(&b, 0, v);
    t[i] = pnn_fbb_end_table(&b);
  }
  pnn_fb_ref vec = pnn_fbb_vector_refs(&b, t, 2);
  pnn_fbb_start_table(&b);
  pnn_fbb_add_ref(&b, 0, vec);
  pnn_fb_ref root = pnn_fbb_end_table(&b);
  CHECK_EQ_INT(pnn_fbb_finish(&b, root, "TEST"), PNN_OK);
  const uint8_t *p = pnn_fbb_data(&b);
  size_t size = pnn_fbb_size(&b);
  CHECK(size % 16 == 0);
  CHECK(memcmp(p + 4, "TEST", 4) == 0);
  /* Walk: root -> vector -> both tables -> same vtable, 16-aligned data. */
  uint32_t root_off, vec_rel, elem_rel[2];
  memcpy(&root_off, p, 4);
  int32_t soff;
  memcpy(&soff, p + root_off, 4);
  const uint8_t *rvt = p + root_off - soff;
  uint16_t f0;
  memcpy(&f0, rvt + 4, 2);
  memcpy(&vec_rel, p + root_off + f0, 4);
  size_t vec_at = root_off + f0 + vec_rel;
  uint32_t count;
  memcpy(&count, p + vec_at, 4);
  CHECK_EQ_INT(count, 2);
  size_t vt_pos[2];
  for (int i = 0; i < 2; i++) {
    memcpy(&elem_rel[i], p + vec_at + 4 + 4 * i, 4);
    size_t tab = vec_at + 4 + 4 * i + elem_rel[i];
    memcpy(&soff, p + tab, 4);
    vt_pos[i] = (size_t)((int64_t)tab - soff);
    uint16_t off_val, off_data;
    memcpy(&off_val, p + vt_pos[i] + 6, 2);
    memcpy(&off_data, p + vt_pos[i] + 4, 2);
    int32_t val;
    memcpy(&val, p + tab + off_val, 4);
    CHECK_EQ_INT(val, 10 + i);
    uint32_t drel;
    memcpy(&drel, p + tab + off_data, 4);
    size_t data_at = tab + off_data + drel;
    CHECK_EQ_INT(data_at % 4, 0);
    CHECK_EQ_INT((data_at + 4) % 16, 0); /* the bytes, after the length */
    CHECK(memcmp(p + data_at + 4, data, 5) == 0);
  }
  CHECK_EQ_INT(vt_pos[0], vt_pos[1]);
  pnn_fbb_free(&b);
}

TEST(fbb_misuse_is_a_sticky_error) {
  pnn_fbb b;
  pnn_fbb_init(&b);
  pnn_fbb_start_table(&b);
  pnn_fbb_start_table(&b); /* nested: not allowed */
  CHECK(!pnn_fbb_ok(&b));
  CHECK(strstr(pnn_fbb_error(&b), "nested") != NULL);
  CHECK_EQ_INT(pnn_fbb_string(&b, "x", 1), 0);
  CHECK(pnn_fbb_finish(&b, 4, "TFL3") != PNN_OK);
  pnn_fbb_free(&b);

  pnn_fbb_init(&b);
  pnn_fbb_start_table(&b);
  pnn_fbb_add_i32(&b, 2, 1, 0);
  pnn_fbb_add_i32(&b, 2, 5, 0); /* same slot twice */
  CHECK(!pnn_fbb_ok(&b));
  pnn_fbb_free(&b);

  pnn_fbb_init(&b);
  pnn_fbb_start_table(&b);
  pnn_fbb_add_i32(&b, PNN_FBB_MAX_SLOTS, 1, 0); /* slot out of range */
  CHECK(!pnn_fbb_ok(&b));
  pnn_fbb_free(&b);
}

/* ---------------------------------------- every options table, generic */

/* Fills every field of the options struct with a non-default value that
 * depends on the field's position, so swapped slots would show. */
static void fill_options(int set, uint8_t type, pnn_builtin_options *o,
                         pnn_pool *pool) {
  const pnn_options_desc *d = pnn_options_describe(set, type);
  memset(o, 0, sizeof *o);
  uint8_t *base = (uint8_t *)o;
  for (int i = 0; i < d->n_fields; i++) {
    const pnn_field_desc *f = &d->fields[i];
    uint8_t *p = base + f->offset;
    /* Subgraph indices must name a subgraph: the test model has two. */
    bool subgraph = strstr(f->name, "subgraph") != NULL;
    switch (f->kind) {
      case PNN_F_BOOL: {
        bool v = f->dflt == 0;
        memcpy(p, &v, 1);
        break;
      }
      case PNN_F_I8: {
        int8_t v = (int8_t)(f->dflt + 1);
        memcpy(p, &v, 1);
        break;
      }
      case PNN_F_I32: {
        int32_t v = subgraph ? 1 : (int32_t)f->dflt + 2 + i;
        memcpy(p, &v, 4);
        break;
      }
      case PNN_F_U32: {
        uint32_t v = subgraph ? 1 : (uint32_t)f->dflt + 3 + (uint32_t)i;
        memcpy(p, &v, 4);
        break;
      }
      case PNN_F_I64: {
        int64_t v = -((int64_t)1 << 40) - i;
        memcpy(p, &v, 8);
        break;
      }
      case PNN_F_F32: {
        float v = 0.25f + (float)i;
        memcpy(p, &v, 4);
        break;
      }
      case PNN_F_STRING: {
        const char *v = pnn_pool_strndup(pool, f->name, strlen(f->name));
        memcpy(p, &v, sizeof v);
        break;
      }
      case PNN_F_VEC_I32: {
        int32_t *a = pnn_pool_calloc(pool, 3, 4);
        a[0] = i + 1, a[1] = -2, a[2] = 3;
        pnn_vec_i32 v = {a, 3};
        memcpy(p, &v, sizeof v);
        break;
      }
      case PNN_F_VEC_I64: {
        int64_t *a = pnn_pool_calloc(pool, 2, 8);
        a[0] = (int64_t)1 << 40, a[1] = -5 - i;
        pnn_vec_i64 v = {a, 2};
        memcpy(p, &v, sizeof v);
        break;
      }
      case PNN_F_VEC_U32: {
        uint32_t *a = pnn_pool_calloc(pool, 2, 4);
        a[0] = 7, a[1] = 8 + (uint32_t)i;
        pnn_vec_u32 v = {a, 2};
        memcpy(p, &v, sizeof v);
        break;
      }
      case PNN_F_VEC_F32: {
        float *a = pnn_pool_calloc(pool, 2, 4);
        a[0] = 1.5f, a[1] = -2.5f - (float)i;
        pnn_vec_f32 v = {a, 2};
        memcpy(p, &v, sizeof v);
        break;
      }
      case PNN_F_VEC_U8: {
        uint8_t *a = pnn_pool_calloc(pool, 4, 1);
        a[0] = 1, a[1] = 2, a[2] = (uint8_t)i, a[3] = 250;
        pnn_vec_u8 v = {a, 4};
        memcpy(p, &v, sizeof v);
        break;
      }
      case PNN_F_VEC_BOOL: {
        bool *a = pnn_pool_calloc(pool, 3, 1);
        a[0] = true, a[2] = true;
        pnn_vec_bool v = {a, 3};
        memcpy(p, &v, sizeof v);
        break;
      }
    }
  }
}

/* A model with one op per options type of `set` in subgraph 0, each with
 * every field non-default; subgraph 1 exists for subgraph-index fields. */
static void check_all_options(int set) {
  pnn_pool pool;
  pnn_pool_init(&pool);
  int n_types = pnn_options_type_count(set);
  CHECK(n_types > 0);
  pnn_op_def *ops = pnn_pool_calloc(&pool, (size_t)n_types, sizeof *ops);
  int32_t *io = pnn_pool_calloc(&pool, 2, sizeof *io);
  io[0] = 0, io[1] = 1;
  int n_ops = 0, n_fields = 0;
  for (int type = 1; type <= n_types; type++) {
    const pnn_options_desc *d = pnn_options_describe(set, (uint8_t)type);
    if (!d) continue;
    pnn_op_def *op = &ops[n_ops++];
    op->inputs = (pnn_vec_i32){io, 1};
    op->outputs = (pnn_vec_i32){io + 1, 1};
    if (set == 1) {
      op->options_type = (uint8_t)type;
      fill_options(set, (uint8_t)type, &op->options, &pool);
    } else {
      op->options2_type = (uint8_t)type;
      fill_options(set, (uint8_t)type, &op->options2, &pool);
    }
    n_fields += d->n_fields;
  }
  CHECK(n_ops > 20);
  CHECK(n_fields > 50);
  int32_t shape[1] = {2};
  pnn_tensor_def tensors[2] = {
      {.name = "in", .rank = 1, .shape = shape, .signature_rank = -1},
      {.name = "out", .rank = 1, .shape = shape, .signature_rank = -1}};
  pnn_subgraph_def sgs[2] = {{.name = "main",
                              .n_tensors = 2,
                              .tensors = tensors,
                              .inputs = {io, 1},
                              .outputs = {io + 1, 1},
                              .n_ops = n_ops,
                              .ops = ops},
                             {.name = "other",
                              .n_tensors = 2,
                              .tensors = tensors,
                              .inputs = {io, 1},
                              .outputs = {io + 1, 1}}};
  /* RELU takes no options table, so the reader lets any table ride on it
   * (an op that does take one must carry exactly that one). */
  pnn_opcode_def opcode = {.builtin = PNN_OP_RELU,
                           .deprecated_builtin_code = PNN_OP_RELU,
                           .builtin_code = PNN_OP_RELU,
                           .version = 1};
  pnn_buffer_def buffers[1] = {{0}};
  pnn_model_def m = {.version = 3,
                     .n_opcodes = 1,
                     .opcodes = &opcode,
                     .n_subgraphs = 2,
                     .subgraphs = sgs,
                     .n_buffers = 1,
                     .buffers = buffers};
  char why[512];
  bool same = round_trip(&m, why, sizeof why);
  pnn_pool_free(&pool);
  CHECK_MSG(same, "set %d: %s", set, why);
}

TEST(roundtrip_every_builtin_options_table) {
  check_all_options(1);
}
TEST(roundtrip_every_builtin_options_2_table) {
  check_all_options(2);
}

/* Defaults are left out but still decode to the same values. */
TEST(roundtrip_default_options) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {1, 3, 3, 1};
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 4, shape, NULL);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 4, shape, NULL);
  int n_types = pnn_options_type_count(1);
  for (int type = 1; type <= n_types; type++)
    if (pnn_options_describe(1, (uint8_t)type))
      pnn_mb_op(mb, PNN_OP_RELU, (uint8_t)type, NULL, 1, &x, 1, &y);
  const pnn_model_def *m = pnn_mb_def(mb);
  CHECK_MSG(m != NULL, "%s", pnn_mb_error(mb));
  char why[512];
  bool same = round_trip(m, why, sizeof why);
  pnn_mb_free(mb);
  CHECK_MSG(same, "%s", why);
}

/* ------------------------------- tensors, quantization, sparsity, rest */

TEST(roundtrip_every_other_field_kind) {
  pnn_mb *mb = pnn_mb_new();
  CHECK(mb != NULL);
  pnn_mb_description(mb, "every field kind");
  int32_t s4[] = {1, 2, 2, 3}, s2[] = {4, 4}, s1[] = {3}, sig[] = {-1, 2, 2, 3};
  int in = pnn_mb_tensor(mb, "in", PNN_TYPE_FLOAT32, 4, s4, NULL);
  pnn_mb_tensor_signature(mb, in, 4, sig);
  int8_t w8[12] = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12};
  int w = pnn_mb_tensor(mb, "w", PNN_TYPE_INT8, 4, s4, w8);
  float scales[3] = {0.5f, 0.25f, 0.125f};
  int64_t zps[3] = {0, 1, -1};
  pnn_mb_tensor_quant(mb, w, 3, scales, zps, 3);
  pnn_tensor_def *wt = pnn_mb_tensor_def(mb, w);
  static const float mins[1] = {-1}, maxs[1] = {1};
  wt->quant.n_min = 1, wt->quant.min = mins;
  wt->quant.n_max = 1, wt->quant.max = maxs;
  wt->has_rank = true;
  /* Custom quantization details on an otherwise unquantized tensor. */
  int cq = pnn_mb_tensor(mb, "custom_q", PNN_TYPE_INT16, 1, s1, NULL);
  pnn_tensor_def *cqt = pnn_mb_tensor_def(mb, cq);
  static const uint8_t custom_q[5] = {9, 8, 7, 6, 5};
  cqt->has_quant = true;
  cqt->quant.details_type = 1;
  cqt->quant.custom = (pnn_vec_u8){custom_q, 5};
  /* An empty quantization table (as the converter writes for floats). */
  int eq = pnn_mb_tensor(mb, "empty_q", PNN_TYPE_FLOAT32, 1, s1, NULL);
  pnn_mb_tensor_def(mb, eq)->has_quant = true;
  int var = pnn_mb_tensor(mb, "state", PNN_TYPE_FLOAT32, 1, s1, NULL);
  pnn_mb_tensor_variable(mb, var);
  /* A scalar and types without a fixed element size. */
  int64_t k = 42;
  int scalar = pnn_mb_tensor(mb, "k", PNN_TYPE_INT64, 0, NULL, &k);
  static const uint8_t str_data[] = {1, 0, 0, 0, 12, 0, 0, 0, 13, 0, 0, 0, 'h'};
  int sb = pnn_mb_buffer(mb, str_data, sizeof str_data);
  int str =
      pnn_mb_tensor_in_buffer(mb, "s", PNN_TYPE_STRING, 1, (int32_t[]){1}, sb);
  static const uint8_t i4[2] = {0x21, 0x43};
  int i4b = pnn_mb_buffer(mb, i4, 2);
  int int4 =
      pnn_mb_tensor_in_buffer(mb, "i4", PNN_TYPE_INT4, 1, (int32_t[]){4}, i4b);
  /* Sparse CSR 4x4 with uint8 segments and uint16 indices. */
  float sp_vals[4] = {1, 2, 3, 4};
  int sp =
      pnn_mb_tensor(mb, "sparse", PNN_TYPE_FLOAT32, 1, (int32_t[]){4}, sp_vals);
  pnn_tensor_def *spt = pnn_mb_tensor_def(mb, sp);
  spt->rank = 2, spt->shape = s2; /* dense shape 4x4, 4 stored values */
  int32_t order[] = {0, 1}, segs[] = {0, 1, 2, 3, 4}, idx[] = {0, 1, 2, 3};
  pnn_dim_metadata_def dm[2] = {{.format = PNN_DIM_DENSE, .dense_size = 4},
                                {.format = PNN_DIM_SPARSE_CSR,
                                 .segments_type = 3,
                                 .segments = {segs, 5},
                                 .indices_type = 2,
                                 .indices = {idx, 4}}};
  pnn_sparsity_def sparsity = {
      .traversal_order = {order, 2}, .n_dim_metadata = 2, .dim_metadata = dm};
  pnn_mb_tensor_sparsity(mb, sp, &sparsity);
  /* Block-sparse 4x4 in 2x2 blocks, int32 index vectors. */
  float bs_vals[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  int bs = pnn_mb_tensor(mb, "block_sparse", PNN_TYPE_FLOAT32, 1,
                         (int32_t[]){8}, bs_vals);
  pnn_tensor_def *bst = pnn_mb_tensor_def(mb, bs);
  bst->rank = 2, bst->shape = s2;
  int32_t border[] = {0, 1, 2, 3}, bmap[] = {0, 1}, bsegs[] = {0, 1, 2},
          bidx[] = {0, 1};
  pnn_dim_metadata_def bdm[4] = {{.format = PNN_DIM_DENSE, .dense_size = 2},
                                 {.format = PNN_DIM_SPARSE_CSR,
                                  .segments_type = 1,
                                  .segments = {bsegs, 3},
                                  .indices_type = 1,
                                  .indices = {bidx, 2}},
                                 {.format = PNN_DIM_DENSE, .dense_size = 2},
                                 {.format = PNN_DIM_DENSE, .dense_size = 2}};
  pnn_sparsity_def bsparsity = {.traversal_order = {border, 4},
                                .block_map = {bmap, 2},
                                .n_dim_metadata = 4,
                                .dim_metadata = bdm};
  pnn_mb_tensor_sparsity(mb, bs, &bsparsity);
  int out = pnn_mb_tensor(mb, "out", PNN_TYPE_FLOAT32, 4, s4, NULL);
  int inter = pnn_mb_tensor(mb, "inter", PNN_TYPE_FLOAT32, 1, s1, NULL);

  pnn_conv2d_options conv;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &conv);
  conv.stride_w = conv.stride_h = 1;
  conv.dilation_w_factor = 2;
  conv.fused_activation_function = PNN_ACT_RELU6;
  int c = pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &conv, 3,
                    (int32_t[]){in, w, -1}, 1, &out);
  pnn_mb_op_version(mb, c, 3);
  pnn_mb_op_intermediates(mb, c, 1, &inter);
  /* An op code above 127 (deprecated_builtin_code saturates). */
  pnn_gelu_options gelu = {.approximate = true};
  pnn_mb_op(mb, PNN_OP_GELU, PNN_OPTIONS_OF(gelu), &gelu, 1, &out, 1, &out);
  static const uint8_t flex[7] = {'f', 'l', 'e', 'x', 0, 1, 2};
  int cu = pnn_mb_custom_op(mb, "MyCustom", flex, sizeof flex, 2,
                            (int32_t[]){out, var}, 1, &out);
  int stable =
      pnn_mb_op(mb, PNN_OP_STABLEHLO_COMPOSITE, 0, NULL, 1, &out, 1, &out);
  pnn_stablehlo_composite_options comp;
  pnn_mb_options_defaults(2, PNN_OPTIONS2_stablehlo_composite, &comp);
  comp.name = "odml.thing";
  comp.decomposition_subgraph_index = 1;
  pnn_mb_op_options2(mb, stable, PNN_OPTIONS2_stablehlo_composite, &comp);
  pnn_mb_inputs(mb, 1, &in);
  pnn_mb_outputs(mb, 2, (int32_t[]){out, scalar});
  (void)str, (void)int4, (void)cq, (void)eq;

  int body = pnn_mb_subgraph(mb, "decomposition");
  int bx = pnn_mb_tensor(mb, "bx", PNN_TYPE_FLOAT32, 4, s4, NULL);
  pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &bx, 1, &bx);
  pnn_mb_inputs(mb, 1, &bx);
  pnn_mb_outputs(mb, 1, &bx);
  pnn_mb_use_subgraph(mb, 0);
  pnn_mb_signature(mb, "serving_default", 0, 1, (const char *[]){"input"}, &in,
                   2, (const char *[]){"output", "k"},
                   (int32_t[]){out, scalar});
  pnn_mb_signature(mb, "decomp", body, 1, (const char *[]){"x"}, &bx, 1,
                   (const char *[]){"y"}, &bx);
  pnn_mb_metadata(mb, "min_runtime_version", "1.5.0\0\0", 7);
  pnn_mb_metadata(mb, "empty", NULL, 0);
  CHECK_MSG(pnn_mb_status(mb) == PNN_OK, "%s", pnn_mb_error(mb));

  const pnn_model_def *built = pnn_mb_def(mb);
  CHECK(built != NULL);
  /* Fields the builder has no setter for: set on a copy of the def. */
  pnn_model_def m = *built;
  static const int32_t md_buf[2] = {1, 2};
  m.metadata_buffer = (pnn_vec_i32){md_buf, 2};
  pnn_subgraph_def sg0 = m.subgraphs[0];
  pnn_subgraph_def sgs[2] = {sg0, m.subgraphs[1]};
  pnn_op_def ops[8];
  CHECK(sg0.n_ops <= 8);
  memcpy(ops, sg0.ops, (size_t)sg0.n_ops * sizeof *ops);
  static const bool mutating[2] = {false, true};
  ops[cu].mutating_variable_inputs = (pnn_vec_bool){mutating, 2};
  sgs[0].ops = ops;
  m.subgraphs = sgs;

  char why[512];
  bool same = round_trip(&m, why, sizeof why);
  CHECK_MSG(same, "%s", why);

  /* The two forms carry the same data; the external one really is. */
  decoded a, b;
  char err[256];
  CHECK_EQ_INT(write_and_decode(&m, 0, &a, err, sizeof err), PNN_OK);
  CHECK_EQ_INT(
      write_and_decode(&m, PNN_WRITE_EXTERNAL_DATA, &b, err, sizeof err),
      PNN_OK);
  bool ext_ok = true, aligned = true;
  for (int32_t i = 1; i < b.def.n_buffers; i++) {
    const pnn_buffer_def *bb = &b.def.buffers[i];
    if (bb->size && bb->offset <= 1) ext_ok = false;
    if (bb->size && bb->offset % 16) aligned = false;
    const pnn_buffer_def *ba = &a.def.buffers[i];
    if (ba->size && ((uintptr_t)(ba->data - a.bytes)) % 16) aligned = false;
  }
  const pnn_op_def *cop = &b.def.subgraphs[0].ops[cu];
  bool custom_ext = cop->custom_options_size == sizeof flex &&
                    memcmp(cop->custom_options, flex, sizeof flex) == 0;
  decoded_free(&a);
  decoded_free(&b);
  pnn_mb_free(mb);
  CHECK(ext_ok);
  CHECK(aligned);
  CHECK(custom_ext);
}

/* ------------------------------------------------------- error paths */

TEST(writer_rejects_bad_defs_with_a_message) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {2};
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 1, shape, NULL);
  pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &x, 1, &x);
  const pnn_model_def *good = pnn_mb_def(mb);
  CHECK(good != NULL);
  pnn_model_def m = *good;
  pnn_subgraph_def sg = m.subgraphs[0];
  pnn_op_def op = sg.ops[0];
  m.subgraphs = &sg;
  sg.ops = &op;
  uint8_t *bytes = (uint8_t *)1;
  size_t size = 1;
  char err[256];

  int32_t bad_in = 5;
  op.inputs = (pnn_vec_i32){&bad_in, 1};
  CHECK_EQ_INT(pnn_model_write(&m, &bytes, &size, err, sizeof err),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK(bytes == NULL && size == 0);
  CHECK_MSG(strstr(err, "subgraph 0 op 0") && strstr(err, "inputs[0]"), "%s",
            err);
  op = good->subgraphs[0].ops[0];

  op.options_type = 250;
  CHECK(pnn_model_write(&m, &bytes, &size, err, sizeof err) != PNN_OK);
  CHECK_MSG(strstr(err, "type 250"), "%s", err);
  op = good->subgraphs[0].ops[0];

  op.opcode_index = 3;
  CHECK(pnn_model_write(&m, &bytes, &size, err, sizeof err) != PNN_OK);
  CHECK_MSG(strstr(err, "opcode_index 3"), "%s", err);
  op = good->subgraphs[0].ops[0];

  static const uint8_t junk[4] = {1, 2, 3, 4};
  pnn_buffer_def bufs[1] = {{.data = junk, .size = 4}};
  m.buffers = bufs;
  CHECK(pnn_model_write(&m, &bytes, &size, err, sizeof err) != PNN_OK);
  CHECK_MSG(strstr(err, "buffer 0"), "%s", err);
  m.buffers = good->buffers;

  pnn_tensor_def t = sg.tensors[0];
  sg.tensors = &t;
  t.buffer = 9;
  CHECK(pnn_model_write(&m, &bytes, &size, err, sizeof err) != PNN_OK);
  CHECK_MSG(strstr(err, "tensor 0") && strstr(err, "buffer 9"), "%s", err);
  t.buffer = 0;
  t.shape = NULL;
  CHECK(pnn_model_write(&m, &bytes, &size, err, sizeof err) != PNN_OK);
  t.shape = good->subgraphs[0].tensors[0].shape;

  /* And the repaired def writes. */
  CHECK_EQ_INT(pnn_model_write(&m, &bytes, &size, err, sizeof err), PNN_OK);
  free(bytes);
  CHECK(pnn_model_write(NULL, &bytes, &size, err, sizeof err) != PNN_OK);
  pnn_mb_free(mb);
}

/* A model without buffers gets the sentinel buffer. */
TEST(writer_adds_the_sentinel_buffer) {
  pnn_subgraph_def sg = {.name = "main"};
  pnn_model_def m = {.version = 3, .n_subgraphs = 1, .subgraphs = &sg};
  decoded d;
  char err[256];
  pnn_status st = write_and_decode(&m, 0, &d, err, sizeof err);
  CHECK_MSG(st == PNN_OK, "%s", err);
  CHECK_EQ_INT(d.def.n_buffers, 1);
  CHECK_EQ_INT(d.def.buffers[0].size, 0);
  decoded_free(&d);
}

/* The large-model path on small models, through a lowered size limit:
 * data that cannot fit goes after the FlatBuffer, decided up front or
 * after an inline attempt overflows; a limit too small for even the
 * tables is a LIMIT error. */
static bool is_external(const pnn_model_def *m) {
  for (int32_t i = 1; i < m->n_buffers; i++)
    if (m->buffers[i].size && m->buffers[i].offset <= 1) return false;
  return true;
}

TEST(writer_switches_to_external_data_over_the_limit) {
  static uint8_t data[1900];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 7);
  for (int k = 0; k < 3; k++) {
    pnn_mb *mb = pnn_mb_new();
    size_t n = k == 0 ? 1000 : 1900; /* 1900: fits the data, not tables */
    int32_t dims[1] = {(int32_t)n};
    int c = pnn_mb_tensor(mb, "c", PNN_TYPE_UINT8, 1, dims, data);
    int y = pnn_mb_tensor(mb, "y", PNN_TYPE_UINT8, 1, dims, NULL);
    pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &c, 1, &y);
    const pnn_model_def *m = pnn_mb_def(mb);
    CHECK(m != NULL);
    pnn_write_options o = {.max_flatbuffer_size = k == 0   ? 512
                                                  : k == 1 ? 2048
                                                           : 64};
    uint8_t *bytes;
    size_t size;
    char err[256];
    pnn_status st = pnn_model_write_ex(m, &o, &bytes, &size, err, sizeof err);
    if (k == 2) {
      pnn_mb_free(mb);
      CHECK_EQ_INT(st, PNN_ERROR_LIMIT);
      CHECK_MSG(strstr(err, "limit"), "%s", err);
      continue;
    }
    CHECK_MSG(st == PNN_OK, "case %d: %s", k, err);
    pnn_pool pool;
    pnn_pool_init(&pool);
    pnn_model_def back;
    st = pnn_model_decode(bytes, size, &pool, &back, err, sizeof err);
    char why[512] = "";
    bool ok = st == PNN_OK && is_external(&back) &&
              pnn_model_def_equal(m, &back, why, sizeof why);
    pnn_pool_free(&pool);
    free(bytes);
    pnn_mb_free(mb);
    CHECK_MSG(ok, "case %d: %s %s", k, st == PNN_OK ? "" : err, why);
  }
}

/* ------------------------------------------------- mediapipe models */

static const char *mediapipe_dir(void) {
  const char *env = getenv("PNN_MEDIAPIPE_DIR");
  return env ? env : ".cache/mediapipe/mediapipe/modules";
}

static bool read_file(const char *path, uint8_t **out, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  *out = malloc(n > 0 ? (size_t)n : 1);
  bool ok = *out && n > 0 && fread(*out, 1, (size_t)n, f) == (size_t)n;
  fclose(f);
  *size = ok ? (size_t)n : 0;
  return ok;
}

/* Every .tflite under dir (two levels: modules/NAME/FILE.tflite). */
static int list_models(const char *dir, char paths[][512], int max) {
  int n = 0;
  DIR *d = opendir(dir);
  if (!d) return 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < max) {
    if (e->d_name[0] == '.') continue;
    char sub[512];
    if (snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) >= (int)sizeof sub)
      continue;
    DIR *d2 = opendir(sub);
    if (!d2) continue;
    struct dirent *e2;
    while ((e2 = readdir(d2)) && n < max) {
      size_t len = strlen(e2->d_name);
      if (len > 7 && strcmp(e2->d_name + len - 7, ".tflite") == 0 &&
          snprintf(paths[n], 512, "%s/%s", sub, e2->d_name) < 512)
        n++;
    }
    closedir(d2);
  }
  closedir(d);
  return n;
}

/* read -> write -> read gives an equal def, in both forms, and writing
 * the re-read def gives the very same bytes (the writer is a function of
 * the def). */
static bool mediapipe_round_trip(const char *path, char *why, size_t n) {
  uint8_t *orig;
  size_t size;
  if (!read_file(path, &orig, &size)) {
    snprintf(why, n, "cannot read the file");
    return false;
  }
  pnn_pool pool;
  pnn_pool_init(&pool);
  pnn_model_def m;
  char err[256];
  bool ok = pnn_model_decode(orig, size, &pool, &m, err, sizeof err) == PNN_OK;
  if (!ok) snprintf(why, n, "original does not decode: %s", err);
  if (ok) ok = round_trip(&m, why, n);
  if (ok) {
    decoded a, b;
    ok = write_and_decode(&m, 0, &a, err, sizeof err) == PNN_OK &&
         write_and_decode(&a.def, 0, &b, err, sizeof err) == PNN_OK;
    if (!ok) snprintf(why, n, "%s", err);
    if (ok && (a.size != b.size || memcmp(a.bytes, b.bytes, a.size) != 0)) {
      snprintf(why, n, "rewriting the re-read model changed its bytes");
      ok = false;
    }
    decoded_free(&a);
    decoded_free(&b);
  }
  pnn_pool_free(&pool);
  free(orig);
  return ok;
}

TEST(roundtrip_mediapipe_models) {
  static char paths[64][512];
  int n = list_models(mediapipe_dir(), paths, 64);
  if (n == 0) {
    printf("  note: no models under %s (run the fetch script); skipped\n",
           mediapipe_dir());
    return;
  }
  int failed = 0;
  for (int i = 0; i < n; i++) {
    char why[512];
    if (!mediapipe_round_trip(paths[i], why, sizeof why)) {
      pnn_test_fail(__FILE__, __LINE__, "%s: %s", paths[i], why);
      failed++;
    }
  }
  printf("  %d mediapipe models round-tripped, %d failed\n", n - failed,
         failed);
}
