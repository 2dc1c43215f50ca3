#!/usr/bin/env bash
# The whole test suite: unit tests, CLI integration tests (bad input, Loghub accuracy
# on ../shared/data, the HTML report in headless Chromium) and the bounded property/fuzz
# tests. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo not found: install a Rust toolchain (https://rustup.rs)" >&2
    exit 1
fi
if [ ! -d ../shared/data/loghub-2k ]; then
    echo "warning: ../shared/data/loghub-2k is missing; the Loghub accuracy tests will fail" >&2
fi

scripts/ensure-redis.sh || echo "warning: redis-server/redis-cli missing; crates/cli/tests/redis.rs will fail" >&2
scripts/ensure-chromium.sh || echo "warning: chromium missing; crates/cli/tests/browser.rs will fail in CI and skip elsewhere" >&2
scripts/ensure-prometheus.sh || echo "warning: prometheus/node_exporter missing; crates/cli/tests/prometheus.rs skips them (fails when CI is set)" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Release mode: the Loghub and large-input tests run the real binary on real data.
status=0
cargo test --release --workspace --locked 2>&1 | tee "$log" || status=$?
# One closing line over all test binaries (cargo prints one per binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
