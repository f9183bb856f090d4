#!/usr/bin/env bash
# Builds the native addon, the wasm module and the TypeScript into dist/.
source "$(dirname "$0")/lib.sh"

mkdir -p dist/native dist/wasm

log "building the native addon (napi-rs, rustup stable)"
cargo build --quiet --release -p vzarr-node
cp target/release/libvzarr_node.so dist/native/vzarr.node

bash scripts/build-wasm.sh
wasm=target/wasm32-unknown-unknown/wasm-release/vzarr_wasm.wasm
if command -v wasm-opt >/dev/null; then
  # -ocimfs 20: binaryen inlines every function that has one caller, however large, which
  # put the core's #[inline(never)] readers back into its task dispatchers; V8 then sends
  # those huge functions to its optimising compiler first (ARCHITECTURE.md, "code shape for
  # V8's tiers"). Limited, the first scan of a million-chunk HDF5 file in wasm takes ~57 ms
  # instead of ~80 ms, at the same module size and steady-state speed.
  wasm-opt -O3 -ocimfs 20 --enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int "$wasm" -o dist/wasm/vzarr.wasm
else
  cp "$wasm" dist/wasm/vzarr.wasm
fi

log "compiling TypeScript"
npx tsc -p tsconfig.build.json
chmod +x dist/cli/main.js 2>/dev/null || true

log "bundling for browsers (esbuild)"
node scripts/build-browser.mjs
log "built: native $(stat -c %s dist/native/vzarr.node) bytes, wasm $(stat -c %s dist/wasm/vzarr.wasm) bytes"
