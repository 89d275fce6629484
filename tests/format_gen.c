/* Hand-made .tflite generator for reader tests; see format_gen.h. Slot
 * numbers follow schema.fbs (a union takes two slots). */
#include "format_gen.h"

#include <stdlib.h>
#include <string.h>

#include "format/flatbuf_build.h"
#include "format/options.h"
#include "format/schema.h"

/* Forces a scalar to be written by giving a default it can't equal. */
#define FORCE_U64(v) ((v) + 1)

void fg_defaults(fg_spec *s) {
  memset(s, 0, sizeof(*s));
  s->ident = "TFL3";
  s->version = 3;
  s->n_subgraphs = 1;
  s->op_in1 = 1;
  s->op_out = 2;
  s->intermediate = -100;
  s->sg_in = 0;
  s->sg_out = 2;
  s->weights_dim0 = 2;
  s->weights_dim1 = 4;
  s->weights_sig0 = -1;
  s->weights_buffer = 1;
  s->weights_bytes = 32;
  s->n_scale = 2;
  s->n_zero_point = 2;
  s->scale0 = 0.5f;
  s->n_traversal = 2;
  s->n_dim_metadata = 2;
  s->dm1_format = 1;
  s->init_subgraph = 1;
  s->metadata_buffer = 2;
  s->metadata_buffer_vec = 2;
  s->sig_tensor = 2;
  s->options_type = PNN_OPTIONS_OF(add);
}

static pnn_fb_ref vec_i32(pnn_fbb *b, const int32_t *v, size_t n) {
  return pnn_fbb_vector(b, v, 4, n, 4);
}

static pnn_fb_ref tensor(pnn_fbb *b, const char *name, int8_t type,
                         const int32_t *shape, int rank, uint32_t buffer,
                         pnn_fb_ref quant, pnn_fb_ref sparsity,
                         pnn_fb_ref sig) {
  pnn_fb_ref n = pnn_fbb_cstring(b, name);
  pnn_fb_ref sh = vec_i32(b, shape, (size_t)rank);
  pnn_fbb_start_table(b);
  pnn_fbb_add_ref(b, 0, sh);
  pnn_fbb_add_i8(b, 1, type, 0);
  pnn_fbb_add_u32(b, 2, buffer, 0);
  pnn_fbb_add_ref(b, 3, n);
  pnn_fbb_add_ref(b, 4, quant);
  pnn_fbb_add_ref(b, 6, sparsity);
  pnn_fbb_add_ref(b, 7, sig);
  pnn_fbb_add_bool(b, 8, true, false);
  return pnn_fbb_end_table(b);
}

static pnn_fb_ref quantization(pnn_fbb *b, const fg_spec *s) {
  float scales[8];
  int64_t zps[8];
  for (int i = 0; i < 8; i++) {
    scales[i] = i == 0 ? s->scale0 : 0.25f * (float)(i + 1);
    zps[i] = i;
  }
  pnn_fb_ref sc = pnn_fbb_vector(b, scales, 4, (size_t)s->n_scale, 4);
  pnn_fb_ref zp = pnn_fbb_vector(b, zps, 8, (size_t)s->n_zero_point, 8);
  pnn_fbb_start_table(b);
  pnn_fbb_add_ref(b, 2, sc);
  pnn_fbb_add_ref(b, 3, zp);
  pnn_fbb_add_i32(b, 6, s->quantized_dimension, 0);
  return pnn_fbb_end_table(b);
}

/* A 4x4 CSR matrix with non-zeros at (0,1), (2,3): dim 0 dense, dim 1 CSR
 * with uint8 segments and int32 indices. */
static pnn_fb_ref sparsity(pnn_fbb *b, const fg_spec *s) {
  int32_t order[4] = {s->traversal0, 1, 2, 3};
  int32_t block[2] = {s->block_map0, 1};
  uint8_t segs[8] = {0, 1, 1, 2, 2};
  int32_t idx[2] = {1, 3};
  pnn_fb_ref sv = pnn_fbb_vector(b, segs, 1, 5, 4);
  pnn_fbb_start_table(b); /* Uint8Vector */
  pnn_fbb_add_ref(b, 0, sv);
  pnn_fb_ref segs_t = pnn_fbb_end_table(b);
  pnn_fb_ref iv = vec_i32(b, idx, 2);
  pnn_fbb_start_table(b); /* Int32Vector */
  pnn_fbb_add_ref(b, 0, iv);
  pnn_fb_ref idx_t = pnn_fbb_end_table(b);
  pnn_fb_ref dms[4];
  for (int i = 0; i < s->n_dim_metadata && i < 4; i++) {
    pnn_fbb_start_table(b);
    if (i == 1) {
      pnn_fbb_add_i8(b, 0, s->dm1_format, 0);
      pnn_fbb_add_u8(b, 2, 3, 0); /* array_segments: Uint8Vector */
      pnn_fbb_add_ref(b, 3, segs_t);
      pnn_fbb_add_u8(b, 4, 1, 0); /* array_indices: Int32Vector */
      pnn_fbb_add_ref(b, 5, idx_t);
    } else {
      pnn_fbb_add_i32(b, 1, 4, 0);
    }
    dms[i] = pnn_fbb_end_table(b);
  }
  pnn_fb_ref ov = vec_i32(b, order, (size_t)s->n_traversal);
  pnn_fb_ref bv =
      s->n_block_map ? vec_i32(b, block, (size_t)s->n_block_map) : 0;
  pnn_fb_ref dv = pnn_fbb_vector_refs(b, dms, (size_t)s->n_dim_metadata);
  pnn_fbb_start_table(b);
  pnn_fbb_add_ref(b, 0, ov);
  pnn_fbb_add_ref(b, 1, bv);
  pnn_fbb_add_ref(b, 2, dv);
  return pnn_fbb_end_table(b);
}

static pnn_fb_ref tensors(pnn_fbb *b, const fg_spec *s) {
  int32_t shape[2] = {2, 4}, wshape[2] = {s->weights_dim0, s->weights_dim1};
  int32_t sig[2] = {s->weights_sig0, s->weights_dim1}, sshape[2] = {4, 4};
  pnn_fb_ref q = s->quant ? quantization(b, s) : 0;
  pnn_fb_ref sp = s->sparse ? sparsity(b, s) : 0;
  pnn_fb_ref sigv = vec_i32(b, sig, 2);
  pnn_fb_ref t[4];
  int n = 0;
  t[n++] = tensor(b, "input", 0, shape, 2, 0, 0, 0, 0);
  t[n++] = tensor(b, "weights", s->weights_type, wshape, 2, s->weights_buffer,
                  0, 0, sigv);
  t[n++] = tensor(b, "output", 0, shape, 2, 0, q, 0, 0);
  if (s->sparse) t[n++] = tensor(b, "sparse_w", 0, sshape, 2, 0, 0, sp, 0);
  return pnn_fbb_vector_refs(b, t, (size_t)n);
}

static pnn_fb_ref operators(pnn_fbb *b, const fg_spec *s,
                            uint64_t custom_offset) {
  pnn_fb_ref ops[3];
  int n = 0;
  int32_t in[2] = {0, s->op_in1}, out[1] = {s->op_out};
  int32_t inter[1] = {s->intermediate};
  pnn_fb_ref inv = vec_i32(b, in, 2), outv = vec_i32(b, out, 1);
  pnn_fb_ref interv = s->intermediate != -100 ? vec_i32(b, inter, 1) : 0;
  pnn_fbb_start_table(b); /* AddOptions */
  pnn_fbb_add_i8(b, 0, PNN_ACT_RELU6, 0);
  pnn_fb_ref addopt = pnn_fbb_end_table(b);
  pnn_fbb_start_table(b);
  pnn_fbb_add_u32(b, 0, s->opcode_index, 0xffffffffu);
  pnn_fbb_add_ref(b, 1, inv);
  pnn_fbb_add_ref(b, 2, outv);
  pnn_fbb_add_u8(b, 3, s->options_type, 0);
  pnn_fbb_add_ref(b, 4, addopt);
  pnn_fbb_add_ref(b, 8, interv);
  ops[n++] = pnn_fbb_end_table(b);
  if (s->call_once) {
    pnn_fbb_start_table(b);
    pnn_fbb_add_i32(b, 0, s->init_subgraph, -12345);
    pnn_fb_ref opt = pnn_fbb_end_table(b);
    pnn_fbb_start_table(b);
    pnn_fbb_add_u32(b, 0, 1, 0);
    pnn_fbb_add_u8(b, 3, PNN_OPTIONS_OF(call_once), 0);
    pnn_fbb_add_ref(b, 4, opt);
    ops[n++] = pnn_fbb_end_table(b);
  }
  if (s->custom) {
    static const uint8_t blob[5] = {1, 2, 3, 4, 5};
    int32_t cin[1] = {2}, cout[1] = {0};
    pnn_fb_ref ci = vec_i32(b, cin, 1), co = vec_i32(b, cout, 1);
    pnn_fb_ref cv = s->large_custom ? 0 : pnn_fbb_vector(b, blob, 1, 5, 1);
    pnn_fbb_start_table(b);
    pnn_fbb_add_u32(b, 0, 2, 0);
    pnn_fbb_add_ref(b, 1, ci);
    pnn_fbb_add_ref(b, 2, co);
    pnn_fbb_add_ref(b, 5, cv);
    if (s->large_custom) {
      pnn_fbb_add_u64(b, 9, custom_offset, FORCE_U64(custom_offset));
      pnn_fbb_add_u64(b, 10, 5, 0);
    }
    ops[n++] = pnn_fbb_end_table(b);
  }
  return pnn_fbb_vector_refs(b, ops, (size_t)n);
}

static pnn_fb_ref subgraph(pnn_fbb *b, const fg_spec *s, bool main_graph,
                           uint64_t custom_offset) {
  pnn_fb_ref name = pnn_fbb_cstring(b, main_graph ? "main" : "init");
  pnn_fb_ref tv = 0, ov = 0, iv = 0, outv = 0;
  if (main_graph) {
    int32_t in[1] = {s->sg_in}, out[1] = {s->sg_out};
    tv = tensors(b, s);
    ov = operators(b, s, custom_offset);
    iv = vec_i32(b, in, 1);
    outv = vec_i32(b, out, 1);
  }
  pnn_fbb_start_table(b);
  pnn_fbb_add_ref(b, 0, tv);
  pnn_fbb_add_ref(b, 1, iv);
  pnn_fbb_add_ref(b, 2, outv);
  pnn_fbb_add_ref(b, 3, ov);
  pnn_fbb_add_ref(b, 4, name);
  return pnn_fbb_end_table(b);
}

static pnn_fb_ref opcodes(pnn_fbb *b) {
  pnn_fb_ref c[3];
  pnn_fbb_start_table(b);
  pnn_fbb_add_i8(b, 0, PNN_OP_ADD, 1);
  pnn_fbb_add_i32(b, 3, PNN_OP_ADD, 1);
  c[0] = pnn_fbb_end_table(b);
  /* CALL_ONCE (129) > 127: byte code saturates at the placeholder. */
  pnn_fbb_start_table(b);
  pnn_fbb_add_i8(b, 0, 127, 0);
  pnn_fbb_add_i32(b, 2, 2, 1);
  pnn_fbb_add_i32(b, 3, PNN_OP_CALL_ONCE, 0);
  c[1] = pnn_fbb_end_table(b);
  pnn_fb_ref name = pnn_fbb_cstring(b, "MyCustom");
  pnn_fbb_start_table(b);
  pnn_fbb_add_i8(b, 0, PNN_OP_CUSTOM, 0);
  pnn_fbb_add_ref(b, 1, name);
  pnn_fbb_add_i32(b, 3, PNN_OP_CUSTOM, 0);
  c[2] = pnn_fbb_end_table(b);
  return pnn_fbb_vector_refs(b, c, 3);
}

static pnn_fb_ref tensor_map(pnn_fbb *b, const char *name, uint32_t t) {
  pnn_fb_ref n = pnn_fbb_cstring(b, name);
  pnn_fbb_start_table(b);
  pnn_fbb_add_ref(b, 0, n);
  pnn_fbb_add_u32(b, 1, t, 0xffffffffu);
  return pnn_fbb_end_table(b);
}

static pnn_fb_ref signatures(pnn_fbb *b, const fg_spec *s) {
  pnn_fb_ref in = tensor_map(b, "x", 0),
             out = tensor_map(b, "y", s->sig_tensor);
  pnn_fb_ref iv = pnn_fbb_vector_refs(b, &in, 1);
  pnn_fb_ref ov = pnn_fbb_vector_refs(b, &out, 1);
  pnn_fb_ref key = pnn_fbb_cstring(b, "serve");
  pnn_fbb_start_table(b);
  pnn_fbb_add_ref(b, 0, iv);
  pnn_fbb_add_ref(b, 1, ov);
  pnn_fbb_add_ref(b, 2, key);
  pnn_fbb_add_u32(b, 4, s->sig_subgraph, 0xffffffffu);
  pnn_fb_ref sig = pnn_fbb_end_table(b);
  return pnn_fbb_vector_refs(b, &sig, 1);
}

static pnn_fb_ref buffers(pnn_fbb *b, const fg_spec *s, const float *wdata,
                          uint64_t weights_offset) {
  static const uint8_t meta[3] = {'a', 'b', 'c'};
  pnn_fb_ref bufs[3];
  pnn_fbb_start_table(b);
  bufs[0] = pnn_fbb_end_table(b);
  if (s->weights_offset_form) {
    pnn_fbb_start_table(b);
    pnn_fbb_add_u64(b, 1, weights_offset, FORCE_U64(weights_offset));
    pnn_fbb_add_u64(b, 2, s->weights_bytes, FORCE_U64(s->weights_bytes));
    bufs[1] = pnn_fbb_end_table(b);
  } else {
    pnn_fb_ref d = pnn_fbb_vector(b, wdata, 1, s->weights_bytes, 16);
    pnn_fbb_start_table(b);
    pnn_fbb_add_ref(b, 0, d);
    bufs[1] = pnn_fbb_end_table(b);
  }
  pnn_fb_ref md = pnn_fbb_vector(b, meta, 1, 3, 16);
  pnn_fbb_start_table(b);
  pnn_fbb_add_ref(b, 0, md);
  bufs[2] = pnn_fbb_end_table(b);
  return pnn_fbb_vector_refs(b, bufs, 3);
}

/* One build with the external offsets given; returns builder status. */
static pnn_status build_once(const fg_spec *s, const float *wdata,
                             uint64_t weights_offset, uint64_t custom_offset,
                             pnn_fbb *b) {
  pnn_fb_ref desc = pnn_fbb_cstring(b, "format_gen test model");
  pnn_fb_ref codes = opcodes(b);
  pnn_fb_ref sgs[2];
  for (int i = 0; i < s->n_subgraphs && i < 2; i++)
    sgs[i] = subgraph(b, s, i == 0, custom_offset);
  pnn_fb_ref sgv = pnn_fbb_vector_refs(b, sgs, (size_t)s->n_subgraphs);
  pnn_fb_ref bufv = buffers(b, s, wdata, weights_offset);
  int32_t mb[1] = {s->metadata_buffer_vec};
  pnn_fb_ref mbv = vec_i32(b, mb, 1);
  pnn_fb_ref mname = pnn_fbb_cstring(b, "meta");
  pnn_fbb_start_table(b);
  pnn_fbb_add_ref(b, 0, mname);
  pnn_fbb_add_u32(b, 1, s->metadata_buffer, 0xffffffffu);
  pnn_fb_ref md = pnn_fbb_end_table(b);
  pnn_fb_ref mdv = pnn_fbb_vector_refs(b, &md, 1);
  pnn_fb_ref sigv = signatures(b, s);
  pnn_fbb_start_table(b);
  pnn_fbb_add_u32(b, 0, s->version, 0xffffffffu);
  pnn_fbb_add_ref(b, 1, codes);
  pnn_fbb_add_ref(b, 2, sgv);
  pnn_fbb_add_ref(b, 3, desc);
  pnn_fbb_add_ref(b, 4, bufv);
  pnn_fbb_add_ref(b, 5, mbv);
  pnn_fbb_add_ref(b, 6, mdv);
  pnn_fbb_add_ref(b, 7, sigv);
  pnn_fb_ref root = pnn_fbb_end_table(b);
  return pnn_fbb_finish(b, root, s->ident);
}

static size_t align16(size_t n) {
  return (n + 15) & ~(size_t)15;
}

uint8_t *fg_build(const fg_spec *s, size_t *size) {
  float wdata[64];
  for (int i = 0; i < 64; i++) wdata[i] = (float)i * 0.5f;
  *size = 0;
  if (s->weights_bytes > sizeof(wdata) || s->n_scale > 8 || s->n_zero_point > 8)
    return NULL;
  /* Pass 1 learns the FlatBuffer size; the external offsets (always
   * written, so the layout doesn't change) are then fixed in pass 2. */
  pnn_fbb b;
  pnn_fbb_init(&b);
  pnn_status st = build_once(s, wdata, 2, 2, &b);
  size_t fb_size = pnn_fbb_size(&b);
  pnn_fbb_free(&b);
  if (st != PNN_OK) return NULL;
  size_t w_off = align16(fb_size);
  size_t c_off =
      align16(w_off + (s->weights_offset_form ? s->weights_bytes : 0));
  size_t total = c_off + (s->large_custom ? 5 : 0);
  pnn_fbb_init(&b);
  st = build_once(s, wdata, w_off + s->weights_offset_bump,
                  c_off + s->large_custom_bump, &b);
  if (st != PNN_OK || pnn_fbb_size(&b) != fb_size) {
    pnn_fbb_free(&b);
    return NULL;
  }
  uint8_t *out = calloc(1, total ? total : 1);
  if (out) {
    memcpy(out, pnn_fbb_data(&b), fb_size);
    if (s->weights_offset_form) memcpy(out + w_off, wdata, s->weights_bytes);
    if (s->large_custom) memcpy(out + c_off, "\x01\x02\x03\x04\x05", 5);
    *size = total;
  }
  pnn_fbb_free(&b);
  return out;
}
