#!/usr/bin/env bash
# The full test suite (what .ci/run runs): setup, Rust checks and the dependency audit, the
# wasm build, TypeScript checks, and the vitest suite once per backend.
source "$(dirname "$0")/lib.sh"

bash scripts/setup.sh
# Exit 3: no Python >= 3.12 here. Everything else still runs; the Python-dependent tests are
# skipped and reported, and the run fails at the end instead of passing without them.
python_status=0
bash scripts/setup-python.sh || python_status=$?
if [ "$python_status" = 3 ]; then
  export VZARR_NO_PYTHON=1
elif [ "$python_status" != 0 ]; then
  die "setting up the Python reference stack failed"
fi

log "cargo fmt / clippy / test / deny"
cargo fmt --all --check
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo test --quiet -p vzarr-core
bash scripts/audit-deps.sh

log "TypeScript: tsc --noEmit, biome"
npx tsc --noEmit -p tsconfig.json
npx biome check .

for backend in native wasm; do
  log "vitest with VZARR_BACKEND=$backend"
  VZARR_BACKEND=$backend npx vitest run
done
if [ -n "${VZARR_NO_PYTHON:-}" ]; then
  die "the Python-dependent tests (interop oracles) were NOT run: no Python >= 3.12 (see the first error above)"
fi
log "all tests passed"
