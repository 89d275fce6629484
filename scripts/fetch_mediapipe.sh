#!/usr/bin/env bash
# Downloads the pinned mediapipe wheel from PyPI and unpacks its real-world
# .tflite models into .cache/mediapipe/mediapipe/modules/**. Idempotent: does
# nothing when the models are already there. The models are test data only:
# .cache/ is ignored by git, never commit them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=0.10.14   # the last releases whose wheel still carries modules/*.tflite
cache=${PNN_CACHE:-$root/.cache}  # PNN_CACHE: another cache dir (tests)
dest=$cache/mediapipe
stamp=$dest/.fetched-$version

if [ -f "$stamp" ]; then exit 0; fi
have=$( (find "$dest/mediapipe/modules" -name '*.tflite' 2>/dev/null || true) | wc -l)
if [ "$have" -ge 14 ] && [ ! -d "$cache/wheels" ]; then
  # Unpacked earlier by hand with the same layout.
  touch "$stamp"; exit 0
fi

mkdir -p "$cache/wheels" "$dest"
wheel=$(find "$cache/wheels" -name "mediapipe-$version-*.whl" | head -n 1)
if [ -z "$wheel" ]; then
  pip=(python3 -m pip)
  [ -x "$root/.venv/bin/python" ] && pip=("$root/.venv/bin/python" -m pip)
  echo "fetch_mediapipe: downloading mediapipe==$version wheel" >&2
  "${pip[@]}" download --quiet --disable-pip-version-check --no-deps \
    --only-binary=:all: --python-version 311 \
    --platform manylinux_2_17_x86_64 -d "$cache/wheels" "mediapipe==$version" >&2
  wheel=$(find "$cache/wheels" -name "mediapipe-$version-*.whl" | head -n 1)
  [ -n "$wheel" ] || { echo "error: mediapipe wheel not downloaded" >&2; exit 1; }
fi
# A wheel is a zip; take only the model files, keeping their paths.
python3 - "$wheel" "$dest" <<'PY'
import sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist()
             if n.startswith("mediapipe/modules/") and n.endswith(".tflite")]
    for n in names:
        z.extract(n, dest)
print(f"fetch_mediapipe: {len(names)} models in {dest}", file=sys.stderr)
if not names:
    sys.exit("error: no .tflite files in " + wheel)
PY
touch "$stamp"
