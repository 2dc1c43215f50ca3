#!/usr/bin/env bash
# Makes sure `redis-server` and `redis-cli` are installed (Debian's packages), for the
# Redis integration tests and bench/redis_bench.py. Idempotent and quiet: does nothing
# when both are on PATH. Uses sudo only when not root and sudo exists.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-redis: redis-server/redis-cli missing and apt-get not available; install Redis by hand" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo -n)
    else
        echo "ensure-redis: not root and no sudo; cannot install redis-server redis-tools" >&2
        exit 1
    fi
fi
echo "ensure-redis: installing redis-server redis-tools" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt's chatter goes to a log that is shown only when the install fails.
# The package's service does not start here (policy-rc.d); the tests start their own servers.
if ! { "${sudo[@]}" apt-get update -qq && \
       "${sudo[@]}" apt-get install -y -qq --no-install-recommends redis-server redis-tools; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "ensure-redis: apt-get install redis-server redis-tools failed" >&2
    exit 1
fi
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1
