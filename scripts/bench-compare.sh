#!/usr/bin/env bash
# `npm run bench:compare`: vzarr side by side with kerchunk and VirtualiZarr (bench/compare/).
# Installs and builds what it needs (idempotent), creates the pinned Python venv, then runs
# the comparison. VZARR_BENCH_SCALE=0.05 for a smoke run.
source "$(dirname "$0")/lib.sh"
bash scripts/setup.sh
bash scripts/setup-python.sh
exec node bench/compare/main.mjs
