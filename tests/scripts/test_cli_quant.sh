#!/usr/bin/env bash
# The float edges of quantized models in the CLI ($BUILD/pocketnn, issue 6):
# `run` quantizes float32 .npy inputs with the input's scale and zero point
# and saves dequantized float32 outputs; `--raw` keeps integer I/O (and then
# refuses float data); `classify` quantizes normalized pixels when the
# normalization is given. Models come from cli_make_model.py (an int8 and a
# uint8 reshape with scale 1/255, zero points -128 / 0). Needs bash and
# python3 (standard library). Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
P=$BUILD/pocketnn
HERE=tests/scripts
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
  exit $?
}
[ -x "$P" ] || { echo "error: $P is not built (run make)" >&2; fail=1; finish; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

python3 $HERE/cli_make_model.py reshape_i8 "$T/i8.tflite" &&
  python3 $HERE/cli_make_model.py reshape_u8 "$T/u8.tflite" &&
  python3 $HERE/cli_npy.py write "$T/x.npy" '<f4' 1 2 1 3 &&
  python3 $HERE/cli_npy.py write "$T/xi8.npy" '|i1' 1 2 1 3 ||
  { bad generate "could not generate test files"; finish; }

# check NAME FILE DESCR DIMS... -- VALUES...
check() {
  local name=$1
  shift
  if python3 $HERE/cli_npy.py check "$@" >"$T/chk" 2>&1; then
    ok "$name"
  else
    bad "$name" "$(cat "$T/chk")"
  fi
}

# Float input 0..5 on scale 1/255, zp -128: 0 -> -128, >= 1 -> 127
# (clamped); dequantized back: 0, 1, 1, 1, 1, 1.
if "$P" run "$T/i8.tflite" --input 0="$T/x.npy" --save-outputs "$T/o1" >"$T/log" 2>&1; then
  ok "run int8 model on float input"
  check "run dequantizes int8 output" "$T/o1/output_0.npy" '<f4' 1 6 -- 0 1 1 1 1 1
  grep -q "dequantized int8" "$T/log" && ok "run says it dequantized" ||
    bad "run says it dequantized" "$(cat "$T/log")"
else
  bad "run int8 model on float input" "$(cat "$T/log")"
fi

# --raw: integer in, integer out (arange 0..5 as int8 stays 0..5).
if "$P" run "$T/i8.tflite" --input 0="$T/xi8.npy" --raw --save-outputs "$T/o2" >"$T/log" 2>&1; then
  check "run --raw keeps int8 output" "$T/o2/output_0.npy" '|i1' 1 6 -- 0 1 2 3 4 5
else
  bad "run --raw int8" "$(cat "$T/log")"
fi
# Without --raw, int8 data is still accepted and the output dequantized:
# (q + 128) / 255.
if "$P" run "$T/i8.tflite" --input 0="$T/xi8.npy" --save-outputs "$T/o3" >"$T/log" 2>&1; then
  check "run int8 data, float output" "$T/o3/output_0.npy" '<f4' 1 6 -- \
    0.50196 0.50588 0.50980 0.51373 0.51765 0.52157
else
  bad "run int8 data" "$(cat "$T/log")"
fi
# --raw refuses float data for an int8 input.
if "$P" run "$T/i8.tflite" --input 0="$T/x.npy" --raw >"$T/log" 2>&1; then
  bad "run --raw refuses float data" "exit 0"
elif grep -q "holds float32 data, the model wants int8" "$T/log"; then
  ok "run --raw refuses float data"
else
  bad "run --raw refuses float data" "$(cat "$T/log")"
fi
# uint8 (zp 0): 0 -> 0, 1 -> 255, clamped above; dequantized 0, 1, ...
if "$P" run "$T/u8.tflite" --input 0="$T/x.npy" --save-outputs "$T/o4" >"$T/log" 2>&1; then
  check "run uint8 float edges" "$T/o4/output_0.npy" '<f4' 1 6 -- 0 1 1 1 1 1
else
  bad "run uint8 float edges" "$(cat "$T/log")"
fi

# classify: a 2x1 gray-free RGB image of value 102 everywhere. --std 510
# gives x = 0.2 -> q = round(0.2 * 255) - 128 = -77, score (q + 128) / 255
# = 0.2; the default (raw pixels, pixel - 128) scores 102 / 255 = 0.4.
python3 - "$T/img.bmp" <<'PY' || bad generate "bmp"
import struct, sys
w, h = 1, 2
row = bytes([102, 102, 102]) + b"\0"
data = row * h
hdr = struct.pack("<2sIHHI", b"BM", 54 + len(data), 0, 0, 54)
info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(data), 0, 0, 0, 0)
open(sys.argv[1], "wb").write(hdr + info + data)
PY
printf 'a\nb\nc\nd\ne\nf\n' >"$T/labels.txt"
if "$P" classify --model "$T/i8.tflite" --labels "$T/labels.txt" --mean 0 --std 510 --top 1 "$T/img.bmp" >"$T/log" 2>&1 &&
  grep -Eq "0\.2000|0\.19[0-9]" "$T/log" && grep -q "quantized to the input" "$T/log"; then
  ok "classify quantizes normalized pixels"
else
  bad "classify quantizes normalized pixels" "$(cat "$T/log")"
fi
if "$P" classify --model "$T/i8.tflite" --labels "$T/labels.txt" --mean 0 --std 510 --raw --top 1 "$T/img.bmp" >"$T/log" 2>&1 &&
  grep -q "0\.4000" "$T/log"; then
  ok "classify --raw feeds raw pixels"
else
  bad "classify --raw feeds raw pixels" "$(cat "$T/log")"
fi
finish
