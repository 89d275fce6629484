#!/usr/bin/env bash
# `pocketnn quantize --mode int8` and `--mode 16x8` end to end (issue 8): the digits
# classifier calibrated on its train split (test accuracy loss <= 1 point,
# io float/int8/uint8, each calibrator), MobileNetV2 and EfficientNetB0
# (random weights, calibrated on 100 seeded random inputs, cosine to the
# float model measured on 100 other held-out random inputs: EfficientNetB0
# >= 0.98, MobileNetV2 >= 0.945 -- see docs/tools.md for why 0.98 is out
# of reach for int8 there); the generated op model of tests/quant_models.c
# (CONCATENATION, TRANSPOSE, BATCH_MATMUL, SPLIT, PACK, MAXIMUM, ... int8);
# every output passes pocketnn's verifier, runs in LiteRT and agrees with
# LiteRT BUILTIN_REF (exact or 1 step on <= 0.1%). Bad inputs fail with a
# message and leave no output file.
# Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
. tests/scripts/lib_build_tool.sh
fail() { echo "error: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

py=${PNN_VENV:-.venv}/bin/python
[ -x "$py" ] || py=/tmp/venv-probe/bin/python
[ -x "$py" ] || fail "no Python venv (run scripts/setup_venv.sh)"
"$py" -c 'import ai_edge_litert, numpy, sklearn' 2>/dev/null ||
  fail "$py lacks ai-edge-litert/numpy/scikit-learn"
P=$BUILD/pocketnn
[ -x "$P" ] || fail "$P not built (run make)"
C=tests/scripts/quantize_int8_check.py
export TF_CPP_MIN_LOG_LEVEL=3

work=$(mktemp -d "${TMPDIR:-/tmp}/pnn_q8.XXXXXX") || fail "mktemp"
trap 'rm -rf "$work"' EXIT
pass=0 failed=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

# --- digits: accuracy and LiteRT agreement for each interface type
"$py" $C calib-digits "$work/digits_calib" || fail "digits split"
base=$("$py" $C digits-acc models/digits/digits.tflite 2>/dev/null | awk '{print $2}')
for io in float int8 uint8; do
  out=$work/digits_$io.tflite
  if ! "$P" quantize models/digits/digits.tflite "$out" --mode int8 \
      --calib "$work/digits_calib" --io "$io" 2>"$work/err" >/dev/null; then
    bad "digits --io $io: $(tail -n 1 "$work/err")"; continue
  fi
  "$P" inspect "$out" >/dev/null 2>&1 || { bad "digits $io: verifier"; continue; }
  acc=$("$py" $C digits-acc "$out" 2>/dev/null | awk '{print $2}')
  echo "  digits --io $io: accuracy $acc (float $base), $(stat -c %s "$out") bytes"
  if "$py" -c "import sys; sys.exit(0 if float('$acc') >= float('$base') - 0.01 else 1)"; then
    ok "digits --io $io accuracy"
  else
    bad "digits --io $io accuracy $acc < $base - 0.01"
  fi
  if "$py" $C agree "$out" "$work/digits_calib" "$P" >"$work/agree" 2>/dev/null; then
    ok "digits --io $io LiteRT agreement"
  else
    cat "$work/agree"; bad "digits --io $io LiteRT agreement"
  fi
done

# the other calibrators (default: mse) and no bias correction
for cal in minmax percentile:99.9 "mse --no-bias-correction"; do
  out=$work/dcal.tflite
  # shellcheck disable=SC2086
  if "$P" quantize models/digits/digits.tflite "$out" --mode int8 \
      --calib "$work/digits_calib" --calibrator $cal 2>/dev/null >/dev/null &&
      "$py" $C agree "$out" "$work/digits_calib" "$P" >/dev/null 2>&1; then
    acc=$("$py" $C digits-acc "$out" 2>/dev/null | awk '{print $2}')
    echo "  digits --calibrator $cal: accuracy $acc"
    "$py" -c "import sys; sys.exit(0 if float('$acc') >= float('$base') - 0.01 else 1)" &&
      ok "digits --calibrator $cal" || bad "digits --calibrator $cal accuracy $acc"
  else
    bad "digits --calibrator $cal"
  fi
done

# --weight-rounding gptq (data-aware rounding from the calibration inputs'
# Hessians): same accuracy bar, exact LiteRT agreement
out=$work/dgptq.tflite
if "$P" quantize models/digits/digits.tflite "$out" --mode int8 \
    --calib "$work/digits_calib" --weight-rounding gptq 2>/dev/null >/dev/null &&
    "$P" inspect "$out" >/dev/null 2>&1 &&
    "$py" $C agree "$out" "$work/digits_calib" "$P" >/dev/null 2>&1; then
  acc=$("$py" $C digits-acc "$out" 2>/dev/null | awk '{print $2}')
  echo "  digits --weight-rounding gptq: accuracy $acc"
  "$py" -c "import sys; sys.exit(0 if float('$acc') >= float('$base') - 0.01 else 1)" &&
    ok "digits --weight-rounding gptq" || bad "digits --weight-rounding gptq accuracy $acc"
else
  bad "digits --weight-rounding gptq"
fi

# --analyze: one line per calibrated tensor with its estimated SNR
if "$P" quantize models/digits/digits.tflite "$work/da.tflite" --mode int8 \
    --calib "$work/digits_calib" --calib-count 50 --analyze --report \
    2>/dev/null >"$work/analyze" &&
    grep -q "^analyze: tensor .* SNR [0-9.]* dB" "$work/analyze"; then
  ok "--analyze report"
else
  bad "--analyze report"
fi

# --- generated op model: data movement, CONCATENATION, BATCH_MATMUL int8
gen=$BUILD/scripts/model_sets_gen
mkdir -p "$work/ops"
if build_c_tool "$gen" tests/scripts/model_sets_gen.c tests/quant_models.c \
    tests/tools_models.c && "$gen" quant "$work/ops" >/dev/null; then
  f=$work/ops/q8_ops.tflite
  "$py" $C calib-random "$f" "$work/ops/cal" 32 2>/dev/null
  "$py" $C calib-random "$f" "$work/ops/ev" 32 5678 2>/dev/null
  for io in float int8 uint8; do
    out=$work/ops/q_$io.tflite
    if "$P" quantize "$f" "$out" --mode int8 --calib "$work/ops/cal" --io $io \
        --report 2>/dev/null >"$work/rep" && ! grep -q "kept float:" "$work/rep" &&
        "$py" $C agree "$out" "$work/ops/ev" "$P" >"$work/agree" 2>/dev/null; then
      ok "op model --io $io: all int8, LiteRT agreement"
    else
      cat "$work/rep" "$work/agree" 2>/dev/null | grep -v "^  " | tail -5
      bad "op model --io $io"
    fi
  done
  if "$py" $C cosine "$f" "$work/ops/q_float.tflite" "$work/ops/ev" 0.99 2>/dev/null |
      sed 's/^/  op model: /'; then
    ok "op model cosine >= 0.99"
  else
    bad "op model cosine"
  fi
else
  bad "cannot build or run tests/scripts/model_sets_gen.c"
fi

# images: PNG decode + resize + (pixel - 0) / 255 (the 10 bundled samples)
if "$P" quantize models/digits/digits.tflite "$work/dimg.tflite" --mode int8 \
    --calib models/digits/samples --std 255 2>/dev/null >/dev/null &&
    "$py" $C agree "$work/dimg.tflite" "$work/digits_calib" "$P" >/dev/null 2>&1; then
  acc=$("$py" $C digits-acc "$work/dimg.tflite" 2>/dev/null | awk '{print $2}')
  echo "  digits calibrated on the 10 sample PNGs: accuracy $acc"
  ok "digits image calibration"
else
  bad "digits image calibration"
fi

# --- Keras applications (random weights)
for m in MobileNetV2 EfficientNetB0; do
  f=.cache/keras/$m/float32.tflite
  [ -f "$f" ] || { echo "note: $f missing; skipped"; continue; }
  "$py" $C calib-random "$f" "$work/calib_$m" 100 2>/dev/null &&
    "$py" $C calib-random "$f" "$work/eval_$m" 100 5678 2>/dev/null ||
    { bad "$m calib data"; continue; }
  out=$work/$m.tflite
  if ! "$P" quantize "$f" "$out" --mode int8 --calib "$work/calib_$m" \
      2>"$work/err" >/dev/null; then
    bad "$m: $(tail -n 1 "$work/err")"; continue
  fi
  min=0.945
  [ "$m" = EfficientNetB0 ] && min=0.98
  if "$py" $C cosine "$f" "$out" "$work/eval_$m" "$min" 2>/dev/null | sed 's/^/  /'; then
    ok "$m cosine >= $min"
  else
    bad "$m cosine"
  fi
  if "$py" $C agree "$out" "$work/calib_$m" "$P" >"$work/agree" 2>/dev/null; then
    ok "$m LiteRT agreement"
  else
    cat "$work/agree"; bad "$m LiteRT agreement"
  fi
done

# --- 16x8: int16 activations
for m in digits MobileNetV2 EfficientNetB0; do
  if [ $m = digits ]; then f=models/digits/digits.tflite; cd_=$work/digits_calib
  else f=.cache/keras/$m/float32.tflite; cd_=$work/calib_$m; fi
  [ -f "$f" ] && [ -d "$cd_" ] || continue
  out=$work/${m}_16x8.tflite
  if ! "$P" quantize "$f" "$out" --mode 16x8 --calib "$cd_" 2>"$work/err" >/dev/null; then
    bad "$m 16x8: $(tail -n 1 "$work/err")"; continue
  fi
  if [ $m = digits ]; then
    acc=$("$py" $C digits-acc "$out" 2>/dev/null | awk '{print $2}')
    echo "  digits 16x8: accuracy $acc (float $base)"
    "$py" -c "import sys; sys.exit(0 if float('$acc') >= float('$base') - 0.01 else 1)" &&
      ok "digits 16x8 accuracy" || bad "digits 16x8 accuracy $acc"
  elif "$py" $C cosine "$f" "$out" "$work/eval_$m" 0.98 2>/dev/null | sed 's/^/  16x8 /'; then
    ok "$m 16x8 cosine >= 0.98"
  else
    bad "$m 16x8 cosine"
  fi
  if "$py" $C agree "$out" "$cd_" "$P" >"$work/agree" 2>/dev/null; then
    ok "$m 16x8 LiteRT agreement"
  else
    cat "$work/agree"; bad "$m 16x8 LiteRT agreement"
  fi
done

# --- bad inputs: message, exit != 0, no output file
mkdir -p "$work/empty" "$work/junk" "$work/shape"
printf 'not an image' >"$work/junk/a.png"
"$py" -c "import numpy as np; np.save('$work/shape/x.npy', np.zeros((1, 4, 4, 1), np.float32))"
check_bad() { # name, expected message part, args...
  local name=$1 want=$2; shift 2
  rm -f "$work/bad.tflite"
  if "$P" quantize "$@" "$work/bad.tflite" --mode int8 2>"$work/err" >/dev/null; then
    bad "$name: succeeded"
  elif [ -e "$work/bad.tflite" ]; then
    bad "$name: left an output file"
  elif ! grep -q "$want" "$work/err"; then
    bad "$name: message '$(cat "$work/err")' lacks '$want'"
  else
    ok "$name refused"
  fi
}
check_bad "empty calibration folder" "no calibration files" \
  models/digits/digits.tflite --calib "$work/empty"
check_bad "unreadable image" "a.png" models/digits/digits.tflite --calib "$work/junk"
check_bad "wrong .npy shape" "x.npy" models/digits/digits.tflite --calib "$work/shape"
check_bad "int8 model" "input 0 is int8" "$work/digits_int8.tflite" \
  --calib "$work/digits_calib"
check_bad "missing --calib" "needs --calib" models/digits/digits.tflite
check_bad "unknown calibrator" "unknown --calibrator" models/digits/digits.tflite \
  --calib "$work/digits_calib" --calibrator kl
check_bad "unknown weight rounding" "unknown --weight-rounding" \
  models/digits/digits.tflite --calib "$work/digits_calib" --weight-rounding adaround

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
