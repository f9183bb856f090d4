#!/usr/bin/env bash
# Installs everything the build and tests need on a fresh machine (Debian 12, Node 20,
# rustup stable), then builds. Idempotent: fast when nothing changed.
source "$(dirname "$0")/lib.sh"

# rustc-web, cargo-web, rust-web-src, lld: the wasm32 build (scripts/build-wasm.sh) where
# rustup has no wasm32 target. rustc-web replaces Debian's rustc 1.63 (they conflict), and
# 1.63's wasm32 standard library must go with it: left in the sysroot it would be found
# instead of the one built from source. binaryen: wasm-opt. chromium: the browser tests
# drive it headless (playwright-core never downloads a browser).
APT_PACKAGES=(rustc-web cargo-web rust-web-src lld binaryen chromium)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if dpkg -s libstd-rust-dev-wasm32 >/dev/null 2>&1; then
  log "removing Debian's rustc 1.63 wasm32 standard library (superseded by rust-web-src)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq libstd-rust-dev-wasm32 >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies"
  # Not `npm ci`: the registry reachable here does not serve other platforms' optional
  # packages (@biomejs/cli-android-*, @rollup/rollup-darwin-*), so the lockfile cannot list
  # them and `npm ci` refuses it. `npm install` installs exactly the locked versions anyway.
  npm install --no-audit --no-fund --loglevel=error
fi

bash scripts/build.sh
