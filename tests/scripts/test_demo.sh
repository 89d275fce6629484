#!/usr/bin/env bash
# The README's demo: `pocketnn classify` on the bundled digit samples must
# print, for every sample, the top-1 label LiteRT gives (recorded by
# tools/train_digits.py in models/digits/metrics.json) with a score within
# 1e-4. Ends with "N passed, N failed" (one check per sample).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
d=models/digits
if [ ! -x "$BUILD/pocketnn" ]; then
  echo "error: $BUILD/pocketnn not built (run make)" >&2; echo "0 passed, 1 failed"; exit 1
fi
out=$("$BUILD/pocketnn" classify --model "$d/digits.tflite" --labels "$d/labels.txt" \
      "$d"/samples/*.png 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || echo "error: classify exited with $rc" >&2
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
printf '%s\n' "$out" > "$tmp"
python3 - "$d/metrics.json" "$rc" "$tmp" <<'PY'
import json, sys
# classify prints "PATH  (T ms)" then one "  LABEL  SCORE" line per top-k.
expected = json.load(open(sys.argv[1]))["sample_predictions"]
lines = open(sys.argv[3]).read().splitlines()
passed = failed = 0
for name, want in sorted(expected.items()):
    got = None
    for i, line in enumerate(lines):
        if line.split() and line.split()[0].endswith("/" + name):
            nxt = lines[i + 1].split() if i + 1 < len(lines) else []
            if len(nxt) >= 2:
                got = (nxt[0], float(nxt[-1]))
            break
    ok = got is not None and got[0] == want["label"] and abs(got[1] - want["score"]) <= 1e-4
    print(f"{'ok' if ok else 'FAIL'} {name}: expected {want['label']} {want['score']:.6f}, "
          f"got {'nothing' if got is None else f'{got[0]} {got[1]:.6f}'}")
    passed += ok
    failed += not ok
if sys.argv[2] != "0" and failed == 0:
    failed = 1
print(f"{passed} passed, {failed} failed")
PY
