/* Shared pieces of the model tools: write + verify, atomic file output,
 * op-count summaries. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/writer.h"
#include "tools/tools.h"
#include "util/error.h"

pnn_status pnn_tool_finish(pnn_ge_graph *g, uint8_t **out, size_t *out_size,
                           char *err, size_t err_size) {
  *out = NULL;
  const pnn_model_def *def = pnn_ge_def(g);
  if (!def) {
    pnn_set_err(err, err_size, "out of memory");
    return PNN_ERROR_OUT_OF_MEMORY;
  }
  char why[256] = "";
  uint8_t *bytes = NULL;
  size_t size = 0;
  pnn_status st = pnn_model_write(def, &bytes, &size, why, sizeof why);
  if (st != PNN_OK) {
    pnn_set_err(err, err_size, "writing the model: %s", why);
    return st;
  }
  /* The output must pass the same verifier every user of it will run. */
  pnn_model *check = NULL;
  st = pnn_model_load_buffer(bytes, size, NULL, &check, why, sizeof why);
  if (st != PNN_OK) {
    free(bytes);
    pnn_set_err(err, err_size, "the rewritten model fails verification: %s",
                why);
    return st;
  }
  pnn_model_free(check);
  *out = bytes;
  *out_size = size;
  return PNN_OK;
}

pnn_status pnn_tool_write_file(const char *path, const uint8_t *bytes,
                               size_t size, char *err, size_t err_size) {
  size_t n = strlen(path);
  char *tmp = malloc(n + 16);
  if (!tmp) {
    pnn_set_err(err, err_size, "out of memory");
    return PNN_ERROR_OUT_OF_MEMORY;
  }
  snprintf(tmp, n + 16, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    pnn_set_err(err, err_size, "cannot create a file next to '%s': %s", path,
                strerror(errno));
    free(tmp);
    return PNN_ERROR_IO;
  }
  (void)fchmod(fd, 0644); /* mkstemp makes 0600; models are not secret */
  FILE *f = fdopen(fd, "wb");
  bool ok = f && fwrite(bytes, 1, size, f) == size;
  if (f)
    ok = (fclose(f) == 0) && ok;
  else
    close(fd);
  if (ok && rename(tmp, path) != 0) ok = false;
  if (!ok) {
    pnn_set_err(err, err_size, "cannot write '%s': %s", path, strerror(errno));
    unlink(tmp);
    free(tmp);
    return PNN_ERROR_IO;
  }
  free(tmp);
  return PNN_OK;
}

void pnn_report_op_counts(pnn_tool_report *r, const char *label,
                          const pnn_model_def *m) {
  if (!m->n_subgraphs) return;
  const pnn_subgraph_def *sg = &m->subgraphs[0];
  int32_t *counts = calloc((size_t)m->n_opcodes + 1, sizeof *counts);
  if (!counts) return;
  for (int32_t i = 0; i < sg->n_ops; i++) counts[sg->ops[i].opcode_index]++;
  char line[2048];
  int len = snprintf(line, sizeof line, "%s: %d ops, %d tensors (", label,
                     sg->n_ops, sg->n_tensors);
  /* Merge opcodes with the same name (several versions of one op). */
  bool first = true;
  for (int32_t c = 0; c < m->n_opcodes; c++) {
    if (!counts[c]) continue;
    const pnn_opcode_def *oc = &m->opcodes[c];
    const char *name = oc->builtin == PNN_OP_CUSTOM
                           ? (oc->custom_code ? oc->custom_code : "CUSTOM")
                           : pnn_builtin_name(oc->builtin);
    if (!name) name = "?";
    int32_t n = counts[c];
    for (int32_t d = c + 1; d < m->n_opcodes; d++)
      if (m->opcodes[d].builtin == oc->builtin &&
          oc->builtin != PNN_OP_CUSTOM) {
        n += counts[d];
        counts[d] = 0;
      }
    if (len > 0 && (size_t)len < sizeof line)
      len += snprintf(line + len, sizeof line - (size_t)len, "%s%s %d",
                      first ? "" : ", ", name, n);
    first = false;
  }
  if (len > 0 && (size_t)len < sizeof line)
    snprintf(line + len, sizeof line - (size_t)len, ")");
  pnn_report_add(r, "%s", line);
  free(counts);
}
