/* Field descriptions of every option table, expanded from options.def. */
#include "options.h"

#include <stddef.h>

/* Field arrays: <member>_fields[]. */
#define PNN_OPT_TABLE(set, idx, member, schema) \
  static const pnn_field_desc member##_fields[] = {
#define PNN_OPT_FIELD(member, slot, kind, field, dflt) \
  {slot, PNN_F_##kind, offsetof(pnn_##member##_options, field), dflt, #field},
#define PNN_OPT_END(set, member) };
#define PNN_OPT_EMPTY(set, idx, member, schema)
#include "options.def"
#undef PNN_OPT_TABLE
#undef PNN_OPT_FIELD
#undef PNN_OPT_END
#undef PNN_OPT_EMPTY

#define N_ITEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Descriptor arrays indexed by union type; entries of the other set expand
 * to nothing (KEEP_s / DROP_s pick by the set number in the .def file). */
#define DESC_TABLE(idx, member, schema) [idx] = {schema,
#define DESC_END(member) \
  sizeof(pnn_##member##_options), N_ITEMS(member##_fields), member##_fields},
#define DESC_EMPTY(idx, member, schema) [idx] = {schema, 0, 0, NULL},
#define IGNORE3(a, b, c)
#define IGNORE1(a)

#define PNN_OPT_TABLE(set, idx, member, schema) TABLE_##set(idx, member, schema)
#define PNN_OPT_FIELD(member, slot, kind, field, dflt)
#define PNN_OPT_END(set, member) END_##set(member)
#define PNN_OPT_EMPTY(set, idx, member, schema) EMPTY_##set(idx, member, schema)

#define TABLE_1 DESC_TABLE
#define END_1 DESC_END
#define EMPTY_1 DESC_EMPTY
#define TABLE_2 IGNORE3
#define END_2 IGNORE1
#define EMPTY_2 IGNORE3
static const pnn_options_desc set1[] = {
#include "options.def"
};
#undef TABLE_1
#undef END_1
#undef EMPTY_1
#undef TABLE_2
#undef END_2
#undef EMPTY_2

#define TABLE_1 IGNORE3
#define END_1 IGNORE1
#define EMPTY_1 IGNORE3
#define TABLE_2 DESC_TABLE
#define END_2 DESC_END
#define EMPTY_2 DESC_EMPTY
static const pnn_options_desc set2[] = {
#include "options.def"
};

int pnn_options_type_count(int set) {
  if (set == 1) return N_ITEMS(set1) - 1;
  if (set == 2) return N_ITEMS(set2) - 1;
  return 0;
}

const pnn_options_desc *pnn_options_describe(int set, uint8_t type) {
  const pnn_options_desc *table = set == 1 ? set1 : set == 2 ? set2 : NULL;
  if (!table || type == 0 || type > pnn_options_type_count(set)) return NULL;
  return table[type].name ? &table[type] : NULL;
}
