/* Shared tail of `pocketnn optimize` and `pocketnn quantize`: writes the
 * rewritten model through a temporary file and prints the summary or the
 * full report. Defined in optimize.c. */
#ifndef PNN_CLI_TOOL_OUT_H
#define PNN_CLI_TOOL_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pocketnn.h"
#include "tools/tools.h"

/* Writes bytes to out_path (no partial file on failure), then prints
 * "IN (N bytes, K ops) -> OUT (...)" and, with full_report, op counts
 * before/after and the report lines. Returns a CLI exit code. */
int cli_tool_output(const char *cmd, const char *in_path, const pnn_model *in,
                    const char *out_path, const uint8_t *bytes, size_t size,
                    const pnn_tool_report *report, bool full_report);

#endif
