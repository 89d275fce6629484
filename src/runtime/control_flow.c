/* Control flow: CALL_ONCE, IF and WHILE run other subgraphs.
 *
 * Each called subgraph is a runtime ctx with its own tensors and arena,
 * prepared when the calling op is prepared (runtime.h). Values cross the
 * boundary by copy: op inputs -> subgraph inputs, subgraph outputs -> op
 * outputs. Copying (instead of aliasing the caller's tensors) keeps the
 * subgraph's plan independent of who calls it, and the arena planner keeps
 * subgraph inputs and outputs live for the whole subgraph run, so the
 * copies never overlap the data being computed.
 *
 * Shapes are static here as everywhere: the IF branches must agree on
 * output shapes, and a WHILE body must give back the shapes it was given.
 * Recursion (a subgraph reachable from itself) is refused at prepare, and
 * the WHILE iterations of one invoke are capped (max_loop_iterations), so
 * every run of a model ends. */
#include <stdio.h>
#include <string.h>

#include "ops/common.h"
#include "runtime/runtime.h"

typedef struct call_state {
  struct pnn_ctx *a, *b; /* IF: then/else; WHILE: cond/body; CALL_ONCE: a */
  uint64_t epoch_a, epoch_b;
  bool done; /* CALL_ONCE: init already ran */
} call_state;

static pnn_status need_options(pnn_node *node, uint8_t type,
                               const char *table) {
  if (node->def && node->def->options_type == type) return PNN_OK;
  return pnn_node_error(node, PNN_ERROR_INVALID_MODEL, "missing %s", table);
}

static call_state *new_state(pnn_node *node) {
  call_state *st = pnn_node_alloc_persistent(node, sizeof(*st));
  node->state = st;
  return st;
}

/* Copies src into dst; shapes were matched at prepare, so a size
 * difference means a planning bug: report it instead of overrunning. */
static pnn_status copy_tensor(pnn_node *node, pnn_tensor *dst,
                              const pnn_tensor *src) {
  if (dst == src) return PNN_OK;
  if (dst->bytes != src->bytes)
    return pnn_node_error(node, PNN_ERROR_RUNTIME,
                          "cannot copy '%s' (%zu bytes) into '%s' (%zu bytes)",
                          src->name, src->bytes, dst->name, dst->bytes);
  if (dst->bytes) memmove(dst->data, src->data, dst->bytes);
  return PNN_OK;
}

static void format_shape(const pnn_tensor *t, char *buf, size_t size) {
  size_t len = 0;
  len += (size_t)snprintf(buf, size, "%s[", pnn_type_name(t->type));
  for (int i = 0; i < t->rank && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%d", i ? "," : "",
                            (int)t->dims[i]);
  if (len < size) snprintf(buf + len, size - len, "]");
}

static bool same_type_shape(const pnn_tensor *a, const pnn_tensor *b) {
  return a->type == b->type && a->rank == b->rank &&
         memcmp(a->dims, b->dims, sizeof(int32_t) * (size_t)a->rank) == 0;
}

/* A condition tensor: one bool element. */
static pnn_status check_condition(pnn_node *node, const pnn_tensor *t,
                                  const char *what) {
  if (t && t->type == PNN_TYPE_BOOL && pnn_tensor_count(t) == 1) return PNN_OK;
  char shape[96] = "absent";
  if (t) format_shape(t, shape, sizeof(shape));
  return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                        "%s must be a single bool, got %s", what, shape);
}

/* ---------------------------------------------------------- CALL_ONCE */

static pnn_status call_once_prepare(pnn_node *node) {
  pnn_status s =
      need_options(node, PNN_OPTIONS_OF(call_once), "CallOnceOptions");
  if (s) return s;
  if (node->n_inputs != 0 || node->n_outputs != 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "CALL_ONCE takes no inputs or outputs (has %d, %d)",
                          node->n_inputs, node->n_outputs);
  call_state *st = new_state(node);
  if (!st) return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "no memory");
  int32_t index = node->options->call_once.init_subgraph_index;
  if ((s = pnn_rt_prepare_child(node, index, NULL, 0, &st->a))) return s;
  if (pnn_rt_output_count(st->a) != 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "init subgraph %d must have no outputs", (int)index);
  st->epoch_a = st->a->epoch;
  return PNN_OK;
}

/* Runs the init subgraph at the first invoke after each allocate: the
 * variables it initializes are themselves re-created by allocate. */
static pnn_status call_once_eval(pnn_node *node) {
  call_state *st = node->state;
  if (st->done) return PNN_OK;
  pnn_status s = pnn_rt_invoke_child(node, st->a, st->epoch_a);
  if (s == PNN_OK) st->done = true;
  return s;
}

/* ----------------------------------------------------------------- IF */

static pnn_status if_prepare(pnn_node *node) {
  pnn_status s = need_options(node, PNN_OPTIONS_OF(if_), "IfOptions");
  if (s) return s;
  if (node->n_inputs < 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "IF needs a condition input");
  if ((s = check_condition(node, node->inputs[0], "condition input 0")))
    return s;
  call_state *st = new_state(node);
  if (!st) return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "no memory");
  pnn_tensor *const *args = node->inputs + 1;
  int n_args = node->n_inputs - 1;
  const pnn_if__options *o = &node->options->if_;
  if ((s = pnn_rt_prepare_child(node, o->then_subgraph_index, args, n_args,
                                &st->a)))
    return s;
  if ((s = pnn_rt_prepare_child(node, o->else_subgraph_index, args, n_args,
                                &st->b)))
    return s;
  st->epoch_a = st->a->epoch;
  st->epoch_b = st->b->epoch;
  int n_out = node->n_outputs;
  if (pnn_rt_output_count(st->a) != n_out ||
      pnn_rt_output_count(st->b) != n_out)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "IF has %d outputs but its branches give %d and %d",
                          n_out, pnn_rt_output_count(st->a),
                          pnn_rt_output_count(st->b));
  for (int k = 0; k < n_out; k++) {
    pnn_tensor *t = pnn_rt_output(st->a, k), *e = pnn_rt_output(st->b, k);
    if (!t || !e)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "branch output %d is absent", k);
    if (!same_type_shape(t, e)) {
      char a[96], b[96];
      format_shape(t, a, sizeof(a));
      format_shape(e, b, sizeof(b));
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "output %d: then branch gives %s, else branch %s "
                            "(branch-dependent shapes are not supported)",
                            k, a, b);
    }
    if (node->outputs[k] &&
        (s = pnn_node_resize_output(node, k, t->type, t->dims, t->rank)))
      return s;
  }
  return PNN_OK;
}

static pnn_status if_eval(pnn_node *node) {
  call_state *st = node->state;
  /* Read the byte: user data need not be a valid C bool (0 or 1). */
  bool cond = *(const uint8_t *)node->inputs[0]->data != 0;
  struct pnn_ctx *branch = cond ? st->a : st->b;
  uint64_t epoch = cond ? st->epoch_a : st->epoch_b;
  pnn_status s;
  for (int k = 1; k < node->n_inputs; k++)
    if ((s = copy_tensor(node, pnn_rt_input(branch, k - 1), node->inputs[k])))
      return s;
  if ((s = pnn_rt_invoke_child(node, branch, epoch))) return s;
  for (int k = 0; k < node->n_outputs; k++)
    if (node->outputs[k] &&
        (s = copy_tensor(node, node->outputs[k], pnn_rt_output(branch, k))))
      return s;
  return PNN_OK;
}

/* -------------------------------------------------------------- WHILE */

static pnn_status while_check_body(pnn_node *node, call_state *st) {
  int n = node->n_inputs;
  if (pnn_rt_output_count(st->b) != n)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "body subgraph %d gives %d outputs, loop carries %d",
                          (int)st->b->index, pnn_rt_output_count(st->b), n);
  for (int k = 0; k < n; k++) {
    pnn_tensor *o = pnn_rt_output(st->b, k);
    if (!o)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "body output %d is absent", k);
    if (!same_type_shape(o, node->inputs[k])) {
      char a[96], b[96];
      format_shape(node->inputs[k], a, sizeof(a));
      format_shape(o, b, sizeof(b));
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "loop value %d enters the body as %s and leaves "
                            "as %s (shapes changing across iterations are "
                            "not supported)",
                            k, a, b);
    }
  }
  return PNN_OK;
}

static pnn_status while_prepare(pnn_node *node) {
  pnn_status s = need_options(node, PNN_OPTIONS_OF(while_), "WhileOptions");
  if (s) return s;
  int n = node->n_inputs;
  if (node->n_outputs != n)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "WHILE has %d inputs but %d outputs", n,
                          node->n_outputs);
  for (int k = 0; k < n; k++)
    if (!node->inputs[k] || !node->outputs[k])
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "loop value %d is absent", k);
  call_state *st = new_state(node);
  if (!st) return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "no memory");
  const pnn_while__options *o = &node->options->while_;
  if ((s = pnn_rt_prepare_child(node, o->cond_subgraph_index, node->inputs, n,
                                &st->a)))
    return s;
  if (pnn_rt_output_count(st->a) != 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "cond subgraph %d must have one output, has %d",
                          (int)st->a->index, pnn_rt_output_count(st->a));
  if ((s = check_condition(node, pnn_rt_output(st->a, 0), "cond output")))
    return s;
  if ((s = pnn_rt_prepare_child(node, o->body_subgraph_index, node->inputs, n,
                                &st->b)))
    return s;
  if ((s = while_check_body(node, st))) return s;
  st->epoch_a = st->a->epoch;
  st->epoch_b = st->b->epoch;
  for (int k = 0; k < n; k++) {
    const pnn_tensor *in = node->inputs[k];
    if ((s = pnn_node_resize_output(node, k, in->type, in->dims, in->rank)))
      return s;
  }
  return PNN_OK;
}

/* The op's outputs carry the loop state: in -> out, then each round
 * out -> cond inputs, out -> body inputs, body outputs -> out. */
static pnn_status while_eval(pnn_node *node) {
  call_state *st = node->state;
  int n = node->n_inputs;
  pnn_status s;
  for (int k = 0; k < n; k++)
    if ((s = copy_tensor(node, node->outputs[k], node->inputs[k]))) return s;
  const uint8_t *cond = pnn_rt_output(st->a, 0)->data;
  struct pnn_interpreter *in = st->a->interp;
  uint64_t cap = in->opts.max_loop_iterations ? in->opts.max_loop_iterations
                                              : PNN_DEFAULT_MAX_LOOP_ITERATIONS;
  for (;;) {
    for (int k = 0; k < n; k++)
      if ((s = copy_tensor(node, pnn_rt_input(st->a, k), node->outputs[k])))
        return s;
    if ((s = pnn_rt_invoke_child(node, st->a, st->epoch_a))) return s;
    if (!*cond) break;
    /* Bound the invoke: a condition that never turns false (or nested
     * loops multiplying) would otherwise hang the caller. */
    if (in->loop_iterations >= cap)
      return pnn_node_error(node, PNN_ERROR_LIMIT,
                            "WHILE loop still running after %llu iterations "
                            "in this invoke (max_loop_iterations)",
                            (unsigned long long)cap);
    in->loop_iterations++;
    /* The loop's work is its iterations': bounded like one op's. */
    const uint64_t wcap =
        in->opts.max_op_work ? in->opts.max_op_work : PNN_DEFAULT_MAX_OP_WORK;
    const uint64_t step = st->a->work + st->b->work < st->a->work
                              ? UINT64_MAX
                              : st->a->work + st->b->work;
    in->loop_work = in->loop_work > UINT64_MAX - step ? UINT64_MAX
                                                      : in->loop_work + step;
    if (in->loop_work > wcap)
      return pnn_node_error(node, PNN_ERROR_LIMIT,
                            "WHILE loop: %llu iterations of condition + body "
                            "work %llu exceed max_op_work %llu in this invoke",
                            (unsigned long long)in->loop_iterations,
                            (unsigned long long)step,
                            (unsigned long long)wcap);
    for (int k = 0; k < n; k++)
      if ((s = copy_tensor(node, pnn_rt_input(st->b, k), node->outputs[k])))
        return s;
    if ((s = pnn_rt_invoke_child(node, st->b, st->epoch_b))) return s;
    for (int k = 0; k < n; k++)
      if ((s = copy_tensor(node, node->outputs[k], pnn_rt_output(st->b, k))))
        return s;
  }
  return PNN_OK;
}

static const pnn_op_kernel call_once_kernel = {call_once_prepare,
                                               call_once_eval};
static const pnn_op_kernel if_kernel = {if_prepare, if_eval};
static const pnn_op_kernel while_kernel = {while_prepare, while_eval};

const pnn_op_entry pnn_ops_control[] = {
    {PNN_OP_CALL_ONCE, &call_once_kernel},
    {PNN_OP_IF, &if_kernel},
    {PNN_OP_WHILE, &while_kernel},
    {-1, NULL},
};
