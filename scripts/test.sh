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
# A short fuzz run, fixed seed (docs/fuzzing.md): 150 mutated inputs per kind and backend
# (1,800 inputs, under a minute); any untagged error, crash, hang or oversized allocation
# fails the build.
log "fuzz: Node mutation harness, seed 1"
node scripts/fuzz-node.mjs --count 150 --seed 1 --quiet --out "${TMPDIR:-/tmp}/vzarr-fuzz-ci"
# The core's libFuzzer targets, 5 s each, with VZARR_FUZZ_CARGO=1 where cargo-fuzz is installed
# (not part of the setup; its first build of the targets takes ~5 minutes on 2 cores).
if [ -n "${VZARR_FUZZ_CARGO:-}" ] && cargo fuzz --version >/dev/null 2>&1; then
  log "fuzz: cargo-fuzz targets, 5 s each"
  node scripts/fuzz/seed-corpora.mjs
  for target in $(cargo fuzz list); do
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "fuzz/corpus/$target" --sanitizer none -O -- \
      -max_total_time=5 -rss_limit_mb=2048 -timeout=10 -seed=1 >/dev/null 2>&1 ||
      die "cargo fuzz run $target found a crash (fuzz/artifacts/$target)"
  done
fi
if [ -n "${VZARR_NO_PYTHON:-}" ]; then
  die "the Python-dependent tests (interop oracles) were NOT run: no Python >= 3.12 (see the first error above)"
fi
log "all tests passed"
