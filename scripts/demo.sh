#!/usr/bin/env bash
# The README's main-job command: installs what it needs, then runs the job on bundled data.
source "$(dirname "$0")/lib.sh"
bash scripts/setup.sh
node scripts/demo.mjs
