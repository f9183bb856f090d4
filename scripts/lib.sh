# Shared helpers for the project scripts (sourced, not run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '\033[1m[vzarr]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[vzarr] %s\033[0m\n' "$*" >&2; exit 1; }
# Debian's rustc-web/cargo-web (1.96) build wasm32 with the standard library compiled from
# rust-web-src (-Zbuild-std) where rustup has no wasm32 target; the rustup proxies come first
# on PATH, so they are always called by absolute path.
DEBIAN_CARGO=/usr/bin/cargo
DEBIAN_RUSTC=/usr/bin/rustc
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi; }
