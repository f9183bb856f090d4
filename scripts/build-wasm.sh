#!/usr/bin/env bash
# Builds crates/vzarr-wasm for wasm32-unknown-unknown into
# target/wasm32-unknown-unknown/wasm-release/vzarr_wasm.wasm (profile `wasm-release`).
#
# Toolchain, first that is present:
#  1. rustup's own wasm32-unknown-unknown target (a developer's machine that has it);
#  2. Debian's rustc-web + cargo-web (1.96) with rust-web-src: rustup here cannot add
#     targets, so the standard library is compiled from source for wasm32 (-Zbuild-std,
#     allowed on this stable compiler by RUSTC_BOOTSTRAP=1), linked by lld's wasm-ld.
# Both read the same workspace and Cargo.lock (--locked: the build never re-resolves).
source "$(dirname "$0")/lib.sh"

TARGET=wasm32-unknown-unknown
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  log "building the wasm module (rustup $(rustc --version | cut -d' ' -f2), $TARGET)"
  cargo build --quiet --locked -p vzarr-wasm --profile wasm-release --target "$TARGET"
elif [ -x "$DEBIAN_RUSTC" ] && [ -d /usr/lib/rustlib/src/rust/library ]; then
  log "building the wasm module (Debian rustc-web $("$DEBIAN_RUSTC" --version | cut -d' ' -f2), $TARGET, std from source)"
  RUSTC="$DEBIAN_RUSTC" RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld \
    "$DEBIAN_CARGO" build --quiet --locked -p vzarr-wasm --profile wasm-release --target "$TARGET" \
    -Zbuild-std=std,panic_abort
else
  die "no Rust toolchain for $TARGET: run scripts/setup.sh (Debian rustc-web cargo-web rust-web-src lld) or \`rustup target add $TARGET\`"
fi
