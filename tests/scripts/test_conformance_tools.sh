#!/usr/bin/env bash
# Tests of the conformance tooling itself (comparison rule, seeded inputs,
# spec hash, segmented reference runner, custom-op rewrite): a checker that
# cannot fail would make the LiteRT conformance results meaningless.
# Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
fail() { echo "error: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
py=$(scripts/setup_venv.sh | tail -n 1) || fail "venv setup failed (scripts/setup_venv.sh)"
scripts/fetch_mediapipe.sh || fail "could not fetch the mediapipe models"
"$py" tools/conformance/selftest.py
