/* WHILE model scaffolding shared by the control-flow tests
 * (test_runtime_control.c, test_loop_bounds.c): the graph that runs a
 * WHILE over two float tensors, and a "first input < constant" condition
 * subgraph. Built with the model builder, into its current subgraph. */
#ifndef PNN_TESTS_WHILE_MODELS_H
#define PNN_TESTS_WHILE_MODELS_H

#include <stdint.h>

#include "format/model_builder.h"

/* Float tensors a (rank ra, dims da) and b (rb, db), named a_name and
 * b_name, as the subgraph's inputs; "<a_name>_out" and "<b_name>_out" of
 * the same shapes as its outputs, computed by one WHILE op over (a, b)
 * with condition subgraph cond_sg and body subgraph body_sg. */
void wm_while_graph(pnn_mb *mb, const char *a_name, int ra,
                    const int32_t *da, const char *b_name, int rb,
                    const int32_t *db, int32_t cond_sg, int32_t body_sg);

/* A WHILE condition over inputs (i float [1], x float of rank rx, dims
 * dx): output i < limit (bool [1]). */
void wm_less_than_cond(pnn_mb *mb, float limit, int rx, const int32_t *dx);

#endif
