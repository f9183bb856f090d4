#!/usr/bin/env bash
# Creates .venv with the pinned Python reference stack (test/python/requirements.txt):
# netCDF4/h5py/eccodes write fixtures; kerchunk, fsspec, zarr, xarray, icechunk and
# VirtualiZarr are the interop oracles and the benchmark competitors.
#
# icechunk 2.x needs Python >= 3.12. This script only uses an interpreter that is already
# installed; it never downloads one (or any source code). It looks, in this order, at:
#   1. $VZARR_PYTHON (an interpreter, not a venv: the venv is made from it)
#   2. python3.13, python3.12 on PATH — run, not just found: a pyenv shim for a version that
#      is not selected exists on PATH but prints an error instead of running
#   3. the versions installed under $(pyenv root)/versions/, newest first
# and takes the first that is >= 3.12 and has the modules the stack needs.
# Exit status 3 (and one line saying what to install) when there is none.
source "$(dirname "$0")/lib.sh"

REQ=test/python/requirements.txt
STAMP=.venv/.requirements.sha256
NEEDED_MODULES="ssl, sqlite3, lzma, bz2, ctypes"

# Prints the interpreter's real path if it runs, is >= 3.12 and has the needed modules.
usable() {
  "$1" -c "
import sys
if sys.version_info < (3, 12): sys.exit(1)
import $NEEDED_MODULES
print(sys.executable)" 2>/dev/null
}

candidates() {
  if [ -n "${VZARR_PYTHON:-}" ]; then echo "$VZARR_PYTHON"; fi
  for name in python3.13 python3.12; do
    command -v "$name" 2>/dev/null || true
  done
  if command -v pyenv >/dev/null 2>&1; then
    local root
    root="$(pyenv root 2>/dev/null || true)"
    if [ -n "$root" ] && [ -d "$root/versions" ]; then
      # Newest first; only plain interpreter versions (3.12.1, 3.13.0), not virtualenvs or other builds.
      find "$root/versions" -mindepth 1 -maxdepth 1 -printf '%f\n' | grep -E '^3\.[0-9]+\.[0-9]+$' |
        sort -t. -k1,1nr -k2,2nr -k3,3nr | while read -r v; do echo "$root/versions/$v/bin/python3"; done
    fi
  fi
}

find_python() {
  local c exe
  while read -r c; do
    [ -n "$c" ] || continue
    if exe="$(usable "$c")" && [ -n "$exe" ]; then
      echo "$exe"
      return 0
    fi
  done < <(candidates)
  return 1
}

if [ -n "${VZARR_PYTHON:-}" ] && ! usable "$VZARR_PYTHON" >/dev/null; then
  die "VZARR_PYTHON=$VZARR_PYTHON is not a Python >= 3.12 with $NEEDED_MODULES"
fi

PY="$(find_python || true)"
if [ -z "$PY" ]; then
  printf '\033[31m[vzarr] no Python >= 3.12 with %s found (looked at $VZARR_PYTHON, python3.13/python3.12 on PATH, pyenv versions): install python3.12 or python3.13 (e.g. `pyenv install 3.12` or your system package) and run again\033[0m\n' "$NEEDED_MODULES" >&2
  exit 3
fi

# The venv is rebuilt when the pinned requirements or the interpreter change.
want="$( (sha256sum "$REQ" | cut -d' ' -f1; "$PY" -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)"
if [ -x .venv/bin/python ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
log "creating .venv with $("$PY" --version) ($PY) and the pinned reference stack"
rm -rf .venv
"$PY" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r "$REQ"
echo "$want" > "$STAMP"
