#!/usr/bin/env bash
# Creates .venv with the pinned Python reference stack (test/python/requirements.txt):
# netCDF4/h5py/eccodes write fixtures; kerchunk, fsspec, zarr, xarray, icechunk and
# VirtualiZarr are the interop oracles and the benchmark competitors.
#
# icechunk 2.x needs Python >= 3.12, but these machines ship 3.11 and no 3.12 package is
# reachable. CPython's source is reachable through the Go module proxy (it serves any
# public repository at a semver tag), so we build 3.12 once into ~/.cache and reuse it.
source "$(dirname "$0")/lib.sh"

PY_VERSION=3.12.12
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/vzarr"
PY_PREFIX="$CACHE/python-$PY_VERSION"
REQ=test/python/requirements.txt
STAMP=.venv/.requirements.sha256

find_python() {
  for p in python3.13 python3.12 "$PY_PREFIX/bin/python3.12"; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import ssl, sqlite3, lzma, bz2, ctypes' 2>/dev/null; then
      command -v "$p"
      return 0
    fi
  done
  return 1
}

build_python() {
  log "building CPython $PY_VERSION from source (once; about 2-3 minutes)"
  local work
  work="$(mktemp -d)"
  curl -fsSL --retry 3 -o "$work/cpython.zip" \
    "https://proxy.golang.org/github.com/python/cpython/@v/v${PY_VERSION}+incompatible.zip"
  (cd "$work" && unzip -q cpython.zip)
  local src="$work/github.com/python/cpython@v${PY_VERSION}+incompatible"
  chmod +x "$src/configure"
  (cd "$src" && sh ./configure --prefix="$PY_PREFIX" >"$work/configure.log" 2>&1 \
    && make -j"$(nproc)" >"$work/make.log" 2>&1 && make install >"$work/install.log" 2>&1) \
    || { tail -30 "$work"/*.log >&2; die "building CPython failed"; }
  rm -rf "$work"
}

PY="$(find_python || true)"
if [ -z "$PY" ]; then
  build_python
  PY="$(find_python)" || die "CPython $PY_VERSION did not build with ssl/sqlite3/lzma support"
fi

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [ -x .venv/bin/python ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
log "creating .venv with $("$PY" --version) and the pinned reference stack"
rm -rf .venv
"$PY" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r "$REQ"
echo "$want" > "$STAMP"
