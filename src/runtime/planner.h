/* The memory planner: places buffers with known lifetimes into one arena.
 *
 * A buffer is live over the op interval [first, last] (inclusive). Two
 * buffers may share bytes only if their intervals do not overlap. The
 * placement is greedy by size (TFLite's and XNNPACK's choice): largest
 * first, each at the lowest 64-byte aligned offset that fits in a gap
 * between the already-placed buffers that are live at the same time. */
#ifndef PNN_RUNTIME_PLANNER_H
#define PNN_RUNTIME_PLANNER_H

#include <stddef.h>
#include <stdint.h>

#include "pocketnn.h"

#define PNN_ARENA_ALIGN 64

typedef struct pnn_plan_buffer {
  size_t size;         /* bytes (0: not placed, offset 0) */
  int32_t first, last; /* live interval in op indices, first <= last */
  size_t offset;       /* out: byte offset in the arena */
} pnn_plan_buffer;

/* Places n buffers; *arena_bytes is the arena size needed (a multiple of
 * PNN_ARENA_ALIGN). PNN_ERROR_OUT_OF_MEMORY if the planner's own scratch
 * cannot be allocated, PNN_ERROR_LIMIT if sizes overflow size_t. */
pnn_status pnn_plan_arena(pnn_plan_buffer *bufs, int32_t n,
                          size_t *arena_bytes);

#endif
