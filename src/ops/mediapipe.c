/* Placeholder until this family lands: registers no custom ops. */
#include "ops/op.h"

const pnn_custom_entry pnn_custom_mediapipe[] = {{NULL, NULL}};
