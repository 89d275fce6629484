#!/usr/bin/env bash
# The MediaPipe custom ops against NumPy references written from MediaPipe's
# kernel sources (LiteRT cannot run these custom ops).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
scripts/setup_venv.sh >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
.venv/bin/python tools/conformance/ops/mediapipe.py --pocketnn "$BUILD/pocketnn"
