#!/usr/bin/env bash
# Creates (or reuses) the project's Python venv at .venv with the pinned
# packages of scripts/requirements.txt. Idempotent: a stamp file records the
# hash of the requirements and the Python version, so a second run with
# nothing changed returns at once. Prints the venv's python path last.
#   PNN_PYTHON=python3.11 scripts/setup_venv.sh   # choose the interpreter
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${PNN_VENV:-$root/.venv}
req=$root/scripts/requirements.txt
stamp=$venv/.pnn-requirements.sha256

pick_python() {
  # tensorflow-cpu 2.20 ships wheels for CPython 3.9 to 3.13.
  local c
  for c in "${PNN_PYTHON:-}" python3.11 python3.12 python3.10 python3.13 python3; do
    [ -n "$c" ] || continue
    command -v "$c" >/dev/null 2>&1 || continue
    if "$c" -c 'import sys; sys.exit(not ((3, 9) <= sys.version_info[:2] <= (3, 13)))' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  return 1
}

py=$(pick_python) || { echo "error: need Python 3.9-3.13 for tensorflow-cpu 2.20" >&2; exit 1; }
want=$( { cat "$req"; "$py" -c 'import sys; print(sys.version_info[:2])'; } | sha256sum | cut -d' ' -f1)

# One setup at a time (tests may call this concurrently).
mkdir -p "$venv"
exec 9>"$venv/.pnn-setup.lock"
flock 9

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
  echo "$venv/bin/python"; exit 0
fi

echo "setup_venv: installing pinned packages into $venv (one-time, a few minutes)" >&2
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv" || {
    echo "error: '$py -m venv' failed; install python3-venv (scripts/install_deps.sh)" >&2; exit 1; }
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --no-input -r "$req" >&2
# Fail here, not later inside a test, if the set does not import.
TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" -c \
  'import numpy, tensorflow, ai_edge_litert.interpreter, sklearn, PIL' >&2
echo "$want" > "$stamp"
echo "$venv/bin/python"
