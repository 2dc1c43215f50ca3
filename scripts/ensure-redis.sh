#!/usr/bin/env bash
# Makes sure `redis-server` and `redis-cli` are installed (Debian's packages), for the
# Redis integration tests and bench/redis_bench.py. Idempotent and quiet: does nothing
# when both are on PATH.
set -euo pipefail

have_all() {
    command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1
}
have_all && exit 0
"$(dirname "$0")/apt-install.sh" ensure-redis redis-server redis-tools
have_all
