#!/usr/bin/env bash
# Audits the Rust dependency graph with cargo-deny (deny.toml): licenses, bans (wildcards,
# duplicate versions) and sources (the crate registry only). Installs the pinned cargo-deny
# from the crate registry the first time.
#
# Advisories need RustSec's database, a git repository that these machines cannot fetch
# (they reach package registries only). When a copy is present (`cargo deny fetch` on a
# machine that can, into $CARGO_HOME/advisory-dbs), it is checked offline; otherwise this
# says that advisories were not checked.
source "$(dirname "$0")/lib.sh"

DENY_VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -qx "cargo-deny $DENY_VERSION"; then
  log "installing cargo-deny $DENY_VERSION from the crate registry (once; a few minutes)"
  cargo install --quiet --locked cargo-deny --version "=$DENY_VERSION"
fi

cargo deny --log-level error check licenses bans sources
db_root="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
if compgen -G "$db_root/*/crates" >/dev/null; then
  cargo deny --log-level error --offline check advisories
else
  log "advisories NOT checked: no RustSec database in $db_root (fetch it with \`cargo deny fetch\` where GitHub is reachable)"
fi
