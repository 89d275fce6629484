#!/usr/bin/env bash
# Builds the libFuzzer targets into $FUZZ_BUILD (default build-fuzz) with
# clang -fsanitize=fuzzer,address,undefined, and the seed corpus
# generator. The library and CLI objects are built by the Makefile with
# -fsanitize=fuzzer-no-link so coverage reaches every library line.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${FUZZ_BUILD:-build-fuzz}
CC=${FUZZ_CC:-clang}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
make --no-print-directory -j2 CC="$CC" BUILD="$B" OPT=-O1 \
  CFLAGS="-fsanitize=fuzzer-no-link $SAN" LDFLAGS="-fsanitize=address,undefined" \
  "$B/libpocketnn.a" $(ls cli/*.c | grep -v cli/main.c | sed "s|^|$B/obj/|; s|\.c$|.o|") >/dev/null
CFL="-std=c11 -Wall -Wextra -Werror -g -O1 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc -Icli"
CLI_OBJ=$(ls cli/*.c | grep -v cli/main.c | sed "s|^|$B/obj/|; s|\.c$|.o|")
CLI_LIBS="$(pkg-config --libs libpng 2>/dev/null || echo -lpng) -ljpeg"
mkdir -p "$B/fuzz"
for t in fuzz_model_load fuzz_model_run; do
  $CC $CFL -fsanitize=fuzzer $SAN tests/fuzz/$t.c "$B/libpocketnn.a" -lm -lpthread -o "$B/fuzz/$t"
done
# shellcheck disable=SC2086
$CC $CFL -fsanitize=fuzzer $SAN tests/fuzz/fuzz_inspect.c $CLI_OBJ "$B/libpocketnn.a" \
  $CLI_LIBS -lm -lpthread -o "$B/fuzz/fuzz_inspect"
# The seed generator (plain, no fuzzer runtime).
$CC $CFL $SAN tests/fuzz/gen_seeds.c "$B/libpocketnn.a" -lm -lpthread -o "$B/fuzz/gen_seeds"
echo "fuzz targets in $B/fuzz: fuzz_model_load fuzz_model_run fuzz_inspect"
