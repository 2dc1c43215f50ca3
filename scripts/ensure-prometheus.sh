#!/usr/bin/env bash
# Makes sure `prometheus`, `promtool` and `prometheus-node-exporter` are installed
# (Debian's prometheus and prometheus-node-exporter packages), for the Prometheus
# integration tests (crates/cli/tests/prometheus.rs). Idempotent and quiet: does nothing
# when all three are on PATH.
set -euo pipefail

have_all() {
    command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 &&
        command -v prometheus-node-exporter >/dev/null 2>&1
}
have_all && exit 0
"$(dirname "$0")/apt-install.sh" ensure-prometheus prometheus prometheus-node-exporter
have_all
