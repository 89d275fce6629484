/*
 * pocketnn: an on-device inference engine for TensorFlow Lite models.
 *
 * One public header. Every handle is opaque; every call that can fail returns
 * a pnn_status, and the object it acted on keeps a message that names the
 * problem (tensor, operator index, field).
 *
 * Thread-safety:
 *   - A pnn_model is immutable after loading. Any number of interpreters, on
 *     any number of threads, may share one model. Free the model only after
 *     every interpreter created from it is freed.
 *   - A pnn_interpreter is used by one thread at a time. Different
 *     interpreters may be used concurrently from different threads.
 *
 * Ownership: whoever creates a handle frees it with the matching *_free call.
 * Pointers returned by accessors (names, tensors, data) are owned by the
 * object they came from and live as long as it does (tensor data pointers:
 * until the next resize or allocate).
 */
#ifndef POCKETNN_H
#define POCKETNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PNN_VERSION_MAJOR 0
#define PNN_VERSION_MINOR 1
#define PNN_VERSION_PATCH 0
#define PNN_MAX_RANK 8

/* Library version as "MAJOR.MINOR.PATCH". */
const char *pnn_version(void);

/* ---------------------------------------------------------------- status */

typedef enum pnn_status {
  PNN_OK = 0,
  PNN_ERROR_INVALID_ARGUMENT = 1, /* bad call: NULL, bad index, wrong size */
  PNN_ERROR_INVALID_MODEL = 2,    /* the model file failed verification */
  PNN_ERROR_UNSUPPORTED = 3,      /* valid model using an op/type we lack */
  PNN_ERROR_OUT_OF_MEMORY = 4,    /* allocation failed */
  PNN_ERROR_IO = 5,               /* file could not be opened or mapped */
  PNN_ERROR_LIMIT = 6,            /* arena, file or loop count over the cap */
  PNN_ERROR_INVALID_STATE = 7,    /* e.g. invoke before allocate */
  PNN_ERROR_RUNTIME = 8,          /* an op failed at invoke (bad index data) */
} pnn_status;

/* Static string naming a status, e.g. "invalid model". */
const char *pnn_status_string(pnn_status status);

/* ----------------------------------------------------------------- types */

/* Element types; the values are TFLite's TensorType values. */
typedef enum pnn_type {
  PNN_TYPE_FLOAT32 = 0,
  PNN_TYPE_FLOAT16 = 1,
  PNN_TYPE_INT32 = 2,
  PNN_TYPE_UINT8 = 3,
  PNN_TYPE_INT64 = 4,
  PNN_TYPE_STRING = 5,
  PNN_TYPE_BOOL = 6,
  PNN_TYPE_INT16 = 7,
  PNN_TYPE_COMPLEX64 = 8,
  PNN_TYPE_INT8 = 9,
  PNN_TYPE_FLOAT64 = 10,
  PNN_TYPE_COMPLEX128 = 11,
  PNN_TYPE_UINT64 = 12,
  PNN_TYPE_RESOURCE = 13,
  PNN_TYPE_VARIANT = 14,
  PNN_TYPE_UINT32 = 15,
  PNN_TYPE_UINT16 = 16,
  PNN_TYPE_INT4 = 17,
  PNN_TYPE_BFLOAT16 = 18,
} pnn_type;

/* Lower-case name ("float32"), or "unknown". */
const char *pnn_type_name(pnn_type type);
/* Bytes per element; 0 for types without a fixed size (string, int4,
 * resource, variant, unknown). */
size_t pnn_type_size(pnn_type type);

/* ----------------------------------------------------------------- model */

typedef struct pnn_model pnn_model;

/* Flags for pnn_load_options.flags. */
#define PNN_LOAD_COPY 1u /* load_buffer: copy the caller's bytes */

typedef struct pnn_load_options {
  uint32_t flags;
  uint64_t max_file_bytes; /* 0 = no cap; larger files fail with LIMIT */
} pnn_load_options;

/* Maps the file read-only and verifies it. On failure *out is NULL and, if
 * err is non-NULL, a NUL-terminated message is written to err (err_size
 * bytes at most). opts may be NULL. */
pnn_status pnn_model_load_file(const char *path, const pnn_load_options *opts,
                               pnn_model **out, char *err, size_t err_size);

/* Verifies a model held in memory. Without PNN_LOAD_COPY the caller's bytes
 * are borrowed and must outlive the model. */
pnn_status pnn_model_load_buffer(const void *data, size_t size,
                                 const pnn_load_options *opts, pnn_model **out,
                                 char *err, size_t err_size);

void pnn_model_free(pnn_model *model);

/* Schema version, description (may be ""), subgraph count. */
uint32_t pnn_model_schema_version(const pnn_model *model);
const char *pnn_model_description(const pnn_model *model);
int pnn_model_subgraph_count(const pnn_model *model);

/* ----------------------------------------------------------- interpreter */

typedef struct pnn_interpreter pnn_interpreter;
typedef struct pnn_tensor pnn_tensor;

typedef void (*pnn_error_fn)(void *user, const char *message);

typedef struct pnn_interpreter_options {
  int num_threads;          /* <= 0: 1 thread */
  size_t max_arena_bytes;   /* 0 = no cap; bigger plans fail with LIMIT */
  pnn_error_fn error_fn;    /* optional: called with each error message */
  void *error_user;
  /* The most WHILE iterations (body runs) one invoke may make, summed over
   * every WHILE op and nesting level; one more fails the invoke with
   * PNN_ERROR_LIMIT naming the WHILE op and the cap, so a model whose loop
   * never ends cannot hang the caller. 0 = PNN_DEFAULT_MAX_LOOP_ITERATIONS. */
  uint64_t max_loop_iterations;
  /* The most work one op may do per invoke, in inner-loop steps (one
   * multiply-accumulate of a conv / FULLY_CONNECTED / BATCH_MATMUL /
   * recurrent op, one window tap of a pool), estimated at prepare from the
   * shapes and parameters: an op above it fails prepare with
   * PNN_ERROR_LIMIT naming the op and the parameter, so a crafted window or
   * filter cannot make one invoke run for hours. 0 =
   * PNN_DEFAULT_MAX_OP_WORK. */
  uint64_t max_op_work;
  /* How float CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and
   * BATCH_MATMUL accumulate (a pnn_float_accumulation; 0 =
   * PNN_FLOAT_ACC_AUTO). Other values make pnn_interpreter_create fail
   * with PNN_ERROR_INVALID_ARGUMENT. */
  int float_accumulation;
} pnn_interpreter_options;

/* Values of pnn_interpreter_options.float_accumulation.
 * FAST: the fastest kernels of the CPU (fused multiply-add; results within
 *   an ulp or two of TFLite's reference kernels).
 * REFERENCE_ORDER: every product and sum rounded separately, in TFLite's
 *   reference order (taps (y, x, channel), bias last), still SIMD: bit-
 *   identical to TFLite's reference kernels, somewhat slower; the
 *   exp-based activations (LOGISTIC, TANH, ELU, GELU, EXP) use libm per
 *   element instead of the SIMD approximations.
 * AUTO: REFERENCE_ORDER in a subgraph that holds dynamic-range (hybrid)
 *   ops (float input, int8/uint8 constant weights: FULLY_CONNECTED,
 *   CONV_2D, DEPTHWISE_CONV_2D, BATCH_MATMUL, LSTM, RNN, SVDF and their
 *   sequence variants), which quantize float results again on the fly, so
 *   that one ulp can change a whole quantization step; FAST elsewhere. */
typedef enum pnn_float_accumulation {
  PNN_FLOAT_ACC_AUTO = 0,
  PNN_FLOAT_ACC_FAST = 1,
  PNN_FLOAT_ACC_REFERENCE_ORDER = 2,
} pnn_float_accumulation;

/* Default of max_loop_iterations: far above what real models loop. */
#define PNN_DEFAULT_MAX_LOOP_ITERATIONS 1000000u
/* Default of max_op_work: 2^40 (~1.1e12) steps, ~20x the largest single
 * conv of real vision models (a 64x64x1280 3x3 conv is ~6e10 MACs). */
#define PNN_DEFAULT_MAX_OP_WORK (UINT64_C(1) << 40)

/* Fills *opts with the defaults (1 thread, no cap, no callback). */
void pnn_interpreter_options_init(pnn_interpreter_options *opts);

/* Creates an interpreter for subgraph 0 of the model. opts may be NULL.
 * Fails only on bad arguments or out of memory. The model must outlive it. */
pnn_status pnn_interpreter_create(const pnn_model *model,
                                  const pnn_interpreter_options *opts,
                                  pnn_interpreter **out);
void pnn_interpreter_free(pnn_interpreter *interp);

/* Message describing the last failure on this interpreter ("" if none). */
const char *pnn_interpreter_last_error(const pnn_interpreter *interp);

/* Prepare: shape inference, kernel choice, weight packing, constant folding
 * and memory planning. Must succeed before invoke; runs again after a
 * resize. An unsupported op or type fails here, naming op index and types. */
pnn_status pnn_interpreter_allocate(pnn_interpreter *interp);

/* Runs the main subgraph. Allocates no memory. */
pnn_status pnn_interpreter_invoke(pnn_interpreter *interp);

int pnn_interpreter_input_count(const pnn_interpreter *interp);
int pnn_interpreter_output_count(const pnn_interpreter *interp);
/* The i-th input/output tensor, or NULL (and an error message) if out of
 * range. */
pnn_tensor *pnn_interpreter_input(pnn_interpreter *interp, int index);
pnn_tensor *pnn_interpreter_output(pnn_interpreter *interp, int index);
/* Index of the input/output whose tensor name is `name`. */
pnn_status pnn_interpreter_input_index(pnn_interpreter *interp,
                                       const char *name, int *index);
pnn_status pnn_interpreter_output_index(pnn_interpreter *interp,
                                        const char *name, int *index);

/* Changes the shape of input `index`; takes effect at the next allocate. */
pnn_status pnn_interpreter_resize_input(pnn_interpreter *interp, int index,
                                        const int32_t *dims, int rank);

/* Bytes of the planned activation arena (after allocate). */
size_t pnn_interpreter_arena_bytes(const pnn_interpreter *interp);
/* Bytes held for constants that had to be copied or folded, and op state. */
size_t pnn_interpreter_persistent_bytes(const pnn_interpreter *interp);

/* Per-op profile of the last invoke, when profiling is enabled. */
void pnn_interpreter_set_profiling(pnn_interpreter *interp, int enabled);
int pnn_interpreter_op_count(const pnn_interpreter *interp);
/* Name ("CONV_2D" or the custom code) and last invoke time in ns of op i of
 * the main subgraph. Returns NULL if i is out of range. */
const char *pnn_interpreter_op_profile(const pnn_interpreter *interp, int i,
                                       uint64_t *ns);

/* ------------------------------------------------------------ signatures */

int pnn_interpreter_signature_count(const pnn_interpreter *interp);
/* Key of signature i, or NULL if out of range. */
const char *pnn_interpreter_signature_key(const pnn_interpreter *interp,
                                          int index);
/* Named input/output of a signature. The tensor belongs to the
 * signature's subgraph; allocate it with pnn_interpreter_signature_allocate. */
pnn_status pnn_interpreter_signature_input(pnn_interpreter *interp,
                                           const char *key, const char *name,
                                           pnn_tensor **out);
pnn_status pnn_interpreter_signature_output(pnn_interpreter *interp,
                                            const char *key, const char *name,
                                            pnn_tensor **out);
pnn_status pnn_interpreter_signature_allocate(pnn_interpreter *interp,
                                              const char *key);
pnn_status pnn_interpreter_signature_invoke(pnn_interpreter *interp,
                                            const char *key);

/* ---------------------------------------------------------------- tensor */

typedef struct pnn_quant_info {
  float scale;          /* per-tensor scale (first entry), 0 if none */
  int32_t zero_point;   /* per-tensor zero point (first entry) */
  int count;            /* number of scales (>1: per-channel) */
  const float *scales;  /* count entries, NULL if not quantized */
  const int64_t *zero_points;
  int32_t quantized_dimension;
} pnn_quant_info;

const char *pnn_tensor_name(const pnn_tensor *t);
pnn_type pnn_tensor_type(const pnn_tensor *t);
int pnn_tensor_rank(const pnn_tensor *t);
/* Dimension i, or -1 if out of range. */
int32_t pnn_tensor_dim(const pnn_tensor *t, int i);
size_t pnn_tensor_byte_size(const pnn_tensor *t);
/* Element data, or NULL before allocate. */
void *pnn_tensor_data(pnn_tensor *t);
void pnn_tensor_quantization(const pnn_tensor *t, pnn_quant_info *q);
/* Copies exactly pnn_tensor_byte_size bytes; a different size is
 * PNN_ERROR_INVALID_ARGUMENT. */
pnn_status pnn_tensor_copy_from(pnn_tensor *t, const void *src, size_t size);
pnn_status pnn_tensor_copy_to(const pnn_tensor *t, void *dst, size_t size);

/* ------------------------------------------------------------ custom ops */

/* A node as seen by a custom op. */
typedef struct pnn_node pnn_node;

typedef struct pnn_custom_op {
  const char *name; /* matched against OperatorCode.custom_code */
  int version;      /* highest version supported; 0 = any */
  /* Optional: parse custom_options once; returns per-node state. */
  void *(*init)(void *user, const void *options, size_t size);
  void (*free)(void *user, void *state);
  /* Checks inputs, sets output shapes with pnn_node_resize_output. */
  pnn_status (*prepare)(void *user, pnn_node *node);
  pnn_status (*invoke)(void *user, pnn_node *node);
  void *user;
} pnn_custom_op;

/* Registers a custom op for this interpreter (before allocate). The struct
 * is copied; `name` must stay valid while the interpreter lives. A
 * registration overrides a built-in custom op of the same name. */
pnn_status pnn_interpreter_add_custom_op(pnn_interpreter *interp,
                                         const pnn_custom_op *op);

int pnn_node_input_count(const pnn_node *node);
int pnn_node_output_count(const pnn_node *node);
/* NULL for an absent optional input (-1) or an index out of range. */
pnn_tensor *pnn_node_input(pnn_node *node, int i);
pnn_tensor *pnn_node_output(pnn_node *node, int i);
void *pnn_node_state(pnn_node *node);
/* Sets output i's type and shape during prepare. */
pnn_status pnn_node_resize_output(pnn_node *node, int i, pnn_type type,
                                  const int32_t *dims, int rank);
/* Records an error naming this node; returns `status` for convenience. */
pnn_status pnn_node_error(pnn_node *node, pnn_status status, const char *fmt,
                          ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif /* POCKETNN_H */
