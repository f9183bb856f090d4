#!/usr/bin/env bash
# `npm run bench:compare`: vzarr side by side with kerchunk and VirtualiZarr (bench/compare/).
# Installs and builds what it needs (idempotent), creates the pinned Python venv unless
# VZARR_PYTHON points at one, then runs the comparison. VZARR_BENCH_SCALE=0.05 for a smoke run.
source "$(dirname "$0")/lib.sh"
bash scripts/setup.sh
if [ -z "${VZARR_PYTHON:-}" ]; then bash scripts/setup-python.sh; fi
exec node bench/compare/main.mjs
