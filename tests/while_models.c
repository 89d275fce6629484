/* WHILE model scaffolding for the control-flow tests (see while_models.h). */
#include "while_models.h"

#include <stdio.h>

#include "test_runtime_common.h"

void wm_while_graph(pnn_mb *mb, const char *a_name, int ra,
                    const int32_t *da, const char *b_name, int rb,
                    const int32_t *db, int32_t cond_sg, int32_t body_sg) {
  char ao_name[64], bo_name[64];
  snprintf(ao_name, sizeof ao_name, "%s_out", a_name);
  snprintf(bo_name, sizeof bo_name, "%s_out", b_name);
  int a = rt_f32(mb, a_name, ra, da, NULL);
  int b = rt_f32(mb, b_name, rb, db, NULL);
  int ao = rt_f32(mb, ao_name, ra, da, NULL);
  int bo = rt_f32(mb, bo_name, rb, db, NULL);
  pnn_while__options o = {.cond_subgraph_index = cond_sg,
                          .body_subgraph_index = body_sg};
  pnn_mb_op(mb, PNN_OP_WHILE, PNN_OPTIONS_OF(while_), &o, 2,
            (int32_t[]){a, b}, 2, (int32_t[]){ao, bo});
  pnn_mb_inputs(mb, 2, (int32_t[]){a, b});
  pnn_mb_outputs(mb, 2, (int32_t[]){ao, bo});
}

void wm_less_than_cond(pnn_mb *mb, float limit, int rx, const int32_t *dx) {
  static const int32_t s1[] = {1};
  int i = rt_f32(mb, "i", 1, s1, NULL);
  int x = rt_f32(mb, "x", rx, dx, NULL);
  int lim = rt_f32(mb, "limit", 1, s1, &limit);
  int lt = pnn_mb_tensor(mb, "lt", PNN_TYPE_BOOL, 1, s1, NULL);
  rt_binary(mb, PNN_OP_LESS, i, lim, lt);
  pnn_mb_inputs(mb, 2, (int32_t[]){i, x});
  pnn_mb_outputs(mb, 1, &lt);
}
