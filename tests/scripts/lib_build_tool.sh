# Sourced by the test scripts that compile a small C program against the
# built library (a model writer such as model_sets_gen.c or writer_gen.c).
#   build_c_tool OUT SRC...   compiles SRC... with $BUILD/libpocketnn.a
# A sanitizer build of the library needs the sanitizer runtime at link, so
# the tool gets the same -fsanitize flags when the library has them.
build_c_tool() {
  local out=$1
  shift
  local lib=${BUILD:-build}/libpocketnn.a
  [ -f "$lib" ] || { echo "error: $lib not built (run make)" >&2; return 1; }
  local san=()
  # no grep -q: SIGPIPE on nm under pipefail
  if nm "$lib" 2>/dev/null | grep '__asan_' >/dev/null; then
    san=(-fsanitize=address,undefined)
  fi
  mkdir -p "$(dirname "$out")"
  ${CC:-cc} -std=c11 -Wall -Wextra -Werror -O1 -g -D_DEFAULT_SOURCE \
    -Iinclude -Isrc "${san[@]}" "$@" "$lib" -lm -lpthread -o "$out"
}
