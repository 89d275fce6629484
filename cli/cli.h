/* Shared pieces of the pocketnn command-line tool: exit codes, error and
 * usage reporting, option parsing, timing, half-float conversion, and the
 * subcommand entry points. The CLI is a thin front over the public API
 * (include/pocketnn.h) and, for inspect, the decoded model
 * (src/format/model.h). */
#ifndef PNN_CLI_H
#define PNN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pocketnn.h"

enum {
  CLI_EXIT_OK = 0,
  CLI_EXIT_ERROR = 1, /* model or input error: one "error:" line */
  CLI_EXIT_USAGE = 2, /* bad usage: a message and the usage text */
};

/* Prints "error: <message>" as one line on stderr (newlines in the
 * message become spaces); returns CLI_EXIT_ERROR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "pocketnn <cmd>: <message>" and the usage text on stderr;
 * returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Matches argv[*i] against an option that takes a value, as "--name V" or
 * "--name=V". Returns 1 and sets *value (advancing *i past V) on a match,
 * 0 if argv[*i] is another argument, -1 if the value is missing. */
int cli_opt_value(int argc, char **argv, int *i, const char *name,
                  const char **value);

/* Strict integer / float parsing: the whole string, within [lo, hi]. */
bool cli_parse_long(const char *s, long lo, long hi, long *out);
bool cli_parse_double(const char *s, double *out);

/* Monotonic clock in seconds. */
double cli_now(void);

/* Limits set by --max-file BYTES and --max-arena BYTES (0 = no cap), used
 * by cli_load_model (max_file_bytes) and cli_create_interpreter and the
 * inspect prepare (max_arena_bytes). */
extern uint64_t cli_max_file_bytes;
extern size_t cli_max_arena_bytes;
/* --max-loop N: max_loop_iterations of the interpreter (0 = default). */
extern uint64_t cli_max_loop_iterations;
/* --max-work N: max_op_work of the interpreter (0 = default). */
extern uint64_t cli_max_op_work;
/* Help text for the limit options, for the subcommands' usage. */
#define CLI_LIMITS_HELP                                                  \
  "  --max-file BYTES    refuse model files larger than BYTES (LIMIT)\n" \
  "  --max-arena BYTES   refuse plans needing a larger arena (LIMIT)\n"  \
  "  --max-loop N        fail an invoke making more than N WHILE\n"      \
  "                      iterations (LIMIT; default 1000000)\n"      \
  "  --max-work N        refuse ops whose estimated work exceeds N\n"  \
  "                      inner-loop steps (LIMIT; default 2^40)\n"
/* Matches --max-file / --max-arena / --max-loop / --max-work at argv[*i] (as
 * cli_opt_value) and sets the limit: 1 on a match, 0 for another argument,
 * CLI_EXIT_USAGE (reported with `usage`) if the value is missing or not a
 * number >= 0. */
int cli_limit_option(int argc, char **argv, int *i, const char *usage);

/* --float-acc auto|fast|reference: the interpreter's float_accumulation
 * (pocketnn.h; default auto), used by cli_create_interpreter. */
extern int cli_float_accumulation;
#define CLI_FLOAT_ACC_HELP                                                 \
  "  --float-acc MODE    float conv / FC accumulation: auto (default:\n"   \
  "                      reference order in models with dynamic-range\n"   \
  "                      ops, else fast), fast (FMA kernels), reference\n" \
  "                      (bit-identical to TFLite's reference kernels)\n"
/* Matches --float-acc MODE at argv[*i] (as cli_opt_value): 1 on a match,
 * 0 for another argument, CLI_EXIT_USAGE (reported with `usage`) for a
 * missing or unknown MODE. */
int cli_float_acc_option(int argc, char **argv, int *i, const char *usage);

/* Matches --threads N at argv[*i] (as cli_opt_value) and sets *threads:
 * 1 on a match, 0 for another argument, CLI_EXIT_USAGE (reported with
 * `usage`) if N is missing or not in 1..1024. */
int cli_threads_option(int argc, char **argv, int *i, const char *usage,
                       long *threads);

/* The one positional MODEL of a command: *model = arg, unless arg is an
 * unknown option or a second MODEL. Returns CLI_EXIT_OK, or
 * CLI_EXIT_USAGE (reported with `usage`). */
int cli_model_arg(const char *arg, const char *usage, const char **model);

/* The two positional paths IN and OUT of a tool command (optimize,
 * quantize): arg goes to the first free (NULL) slot of paths, unless it is
 * an unknown option or a third path. Returns CLI_EXIT_OK, or
 * CLI_EXIT_USAGE (reported with `usage`). */
int cli_in_out_arg(const char *arg, const char *usage, const char *paths[2]);

/* Loads and verifies a model; on failure prints the error line and returns
 * CLI_EXIT_ERROR, else CLI_EXIT_OK. */
int cli_load_model(const char *path, pnn_model **out);

/* Interpreter over `model` with `threads` threads; prints the error on
 * failure. */
int cli_create_interpreter(const pnn_model *model, int threads,
                           pnn_interpreter **out);

/* IEEE half <-> float. */
float cli_half_to_float(uint16_t h);
uint16_t cli_float_to_half(float f);

/* Element i of a tensor-like buffer of `type`, widened to double; returns
 * false for types without a numeric value (string, resource, ...). */
bool cli_element_as_double(pnn_type type, const void *data, size_t i,
                           double *out);

/* Deterministic fill used by run and bench (documented in `run --help`):
 * zeros, or with a seed: floats uniform in [-1, 1), integers uniform in
 * [0, 8) (non-negative so they stay valid as indices), bools 0/1. */
void cli_fill_tensor(pnn_type type, void *data, size_t bytes, bool random,
                     uint64_t seed);

/* Formats a tensor's shape "[1, 224, 224, 3]" into buf. */
void cli_format_shape(const pnn_tensor *t, char *buf, size_t size);

/* Subcommands: argv[0] is the subcommand name. */
int cli_inspect(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_classify(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_optimize(int argc, char **argv);
int cli_quantize(int argc, char **argv);

#endif
