#!/usr/bin/env bash
# Makes sure `prometheus`, `promtool` and `prometheus-node-exporter` are installed
# (Debian's prometheus and prometheus-node-exporter packages), for the Prometheus
# integration tests (crates/cli/tests/prometheus.rs). Idempotent and quiet: does nothing
# when all three are on PATH. Uses sudo only when not root and sudo exists.
# The packages' services do not start here (policy-rc.d, no systemd); the tests start
# their own servers on free loopback ports.
set -euo pipefail

have_all() {
    command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 &&
        command -v prometheus-node-exporter >/dev/null 2>&1
}
if have_all; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-prometheus: prometheus/promtool/prometheus-node-exporter missing and apt-get not available; install them by hand" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo -n)
    else
        echo "ensure-prometheus: not root and no sudo; cannot install prometheus prometheus-node-exporter" >&2
        exit 1
    fi
fi
echo "ensure-prometheus: installing prometheus prometheus-node-exporter" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt's chatter goes to a log that is shown only when the install fails.
if ! { "${sudo[@]}" apt-get update -qq && \
       "${sudo[@]}" apt-get install -y -qq --no-install-recommends prometheus prometheus-node-exporter; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "ensure-prometheus: apt-get install prometheus prometheus-node-exporter failed" >&2
    exit 1
fi
have_all
