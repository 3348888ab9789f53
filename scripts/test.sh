#!/usr/bin/env bash
# The whole test suite (README's test command). Tests that need PostgreSQL, Redis or the
# Python interop packages skip with a printed reason unless WARDEN_REQUIRE_SERVICES=1 /
# WARDEN_REQUIRE_INTEROP=1 make a skip a failure (as .ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --workspace --bins
cargo test --workspace --no-fail-fast "$@"
