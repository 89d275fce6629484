/* Decoded builtin options: one typed struct per schema option table,
 * generated from options.def so that the structs, the decoder, the encoder
 * and the printer can never disagree about a field. */
#ifndef PNN_FORMAT_OPTIONS_H
#define PNN_FORMAT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Vectors point into memory owned by the decoded model. */
typedef struct { const int32_t *data; int32_t count; } pnn_vec_i32;
typedef struct { const int64_t *data; int32_t count; } pnn_vec_i64;
typedef struct { const uint32_t *data; int32_t count; } pnn_vec_u32;
typedef struct { const float *data; int32_t count; } pnn_vec_f32;
typedef struct { const uint8_t *data; int32_t count; } pnn_vec_u8;
typedef struct { const bool *data; int32_t count; } pnn_vec_bool;

/* C type of each field kind. */
#define PNN_CTYPE_BOOL bool
#define PNN_CTYPE_I8 int8_t
#define PNN_CTYPE_I32 int32_t
#define PNN_CTYPE_U32 uint32_t
#define PNN_CTYPE_I64 int64_t
#define PNN_CTYPE_F32 float
#define PNN_CTYPE_VEC_I32 pnn_vec_i32
#define PNN_CTYPE_VEC_I64 pnn_vec_i64
#define PNN_CTYPE_VEC_U32 pnn_vec_u32
#define PNN_CTYPE_VEC_F32 pnn_vec_f32
#define PNN_CTYPE_VEC_U8 pnn_vec_u8
#define PNN_CTYPE_VEC_BOOL pnn_vec_bool
#define PNN_CTYPE_STRING const char * /* NUL-terminated, never NULL */

typedef enum pnn_field_kind {
  PNN_F_BOOL, PNN_F_I8, PNN_F_I32, PNN_F_U32, PNN_F_I64, PNN_F_F32,
  PNN_F_VEC_I32, PNN_F_VEC_I64, PNN_F_VEC_U32, PNN_F_VEC_F32, PNN_F_VEC_U8,
  PNN_F_VEC_BOOL, PNN_F_STRING,
} pnn_field_kind;

/* One struct per non-empty table: pnn_<member>_options. */
#define PNN_OPT_TABLE(set, idx, member, schema) typedef struct {
#define PNN_OPT_FIELD(member, slot, kind, field, dflt) PNN_CTYPE_##kind field;
#define PNN_OPT_END(set, member) } pnn_##member##_options;
#define PNN_OPT_EMPTY(set, idx, member, schema)
#include "options.def"
#undef PNN_OPT_TABLE
#undef PNN_OPT_FIELD
#undef PNN_OPT_END
#undef PNN_OPT_EMPTY

/* Union over BuiltinOptions (set 1) and BuiltinOptions2 (set 2) tables. */
#define PNN_OPT_TABLE(set, idx, member, schema)
#define PNN_OPT_FIELD(member, slot, kind, field, dflt)
#define PNN_OPT_END(set, member) pnn_##member##_options member;
#define PNN_OPT_EMPTY(set, idx, member, schema)
typedef union pnn_builtin_options {
  int64_t align_;
#include "options.def"
} pnn_builtin_options;
#undef PNN_OPT_TABLE
#undef PNN_OPT_FIELD
#undef PNN_OPT_END
#undef PNN_OPT_EMPTY

/* Union type codes: PNN_OPTIONS_<member> = index in BuiltinOptions, and
 * PNN_OPTIONS2_<member> = index in BuiltinOptions2. */
#define PNN_OPT_TABLE(set, idx, member, schema) PNN_OPTIONS##set##_##member = idx,
#define PNN_OPT_FIELD(member, slot, kind, field, dflt)
#define PNN_OPT_END(set, member)
#define PNN_OPT_EMPTY(set, idx, member, schema) PNN_OPTIONS##set##_##member = idx,
enum pnn_options_type {
  PNN_OPTIONS_NONE = 0,
#include "options.def"
};
#undef PNN_OPT_TABLE
#undef PNN_OPT_FIELD
#undef PNN_OPT_END
#undef PNN_OPT_EMPTY
/* Set-1 codes read better without the digit. */
#define PNN_OPTIONS_OF(member) PNN_OPTIONS1_##member

/* Table description for generic decode/encode/print. */
typedef struct pnn_field_desc {
  uint16_t slot;       /* vtable slot (field position in the table) */
  uint8_t kind;        /* pnn_field_kind */
  uint16_t offset;     /* offsetof in the typed struct */
  double dflt;         /* schema default for scalars */
  const char *name;    /* schema field name */
} pnn_field_desc;

typedef struct pnn_options_desc {
  const char *name;            /* schema table name, e.g. "Conv2DOptions" */
  size_t size;                 /* sizeof the typed struct (0 when empty) */
  int n_fields;
  const pnn_field_desc *fields;
} pnn_options_desc;

/* Description of union type `type` of set 1 (BuiltinOptions) or set 2
 * (BuiltinOptions2); NULL for NONE or a type not in the schema. */
const pnn_options_desc *pnn_options_describe(int set, uint8_t type);
/* Number of union members of a set (126 for set 1, 21 for set 2). */
int pnn_options_type_count(int set);

#endif
