#!/usr/bin/env bash
# ClickHouse for the integration tests (crates/cli/tests/clickhouse.rs) and
# bench/clickhouse_bench.py: Debian's clickhouse-server (18.16), run as a two-shard
# cluster on loopback. Nothing starts by itself on this machine (policy-rc.d, no
# systemd), so every caller starts its own cluster in a private directory and stops it
# by PID.
#
#   scripts/ensure-clickhouse.sh                 install if missing (idempotent, quiet):
#                                                clickhouse-server, and chdb-core (pip)
#   scripts/ensure-clickhouse.sh start DIR PORT  start shards on HTTP PORT and PORT+1
#   scripts/ensure-clickhouse.sh stop DIR        stop the shards started in DIR
#
# `start` writes DIR/s1 and DIR/s2 (config, data, logs, pid), one `remote_servers`
# entry `triage_two_shards` naming both shards, and a user `triage` with password
# `triage-secret` beside `default` (no password), so the tests can check credentials.
# Shard i listens on HTTP PORT+i-1, native PORT+10+i-1, interserver PORT+20+i-1.
# It waits (at most 30 s) until both answer `SELECT 1`, then prints the two HTTP ports.
set -euo pipefail

have_all() { command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/sbin/clickhouse-server ]; }
server_bin() { command -v clickhouse-server 2>/dev/null || echo /usr/sbin/clickhouse-server; }

install() {
    if ! have_all; then
        "$(dirname "$0")/apt-install.sh" ensure-clickhouse clickhouse-server clickhouse-client
        have_all
    fi
    # ClickHouse 26.9 in-process, to check the generated SQL on a current engine
    # (crates/clickhouse/tests/chdb.rs).
    if ! python3 -c 'import chdb' >/dev/null 2>&1; then
        echo "ensure-clickhouse: installing chdb-core (pip)" >&2
        python3 -m pip install -q chdb-core >/dev/null 2>&1 ||
            python3 -m pip install -q --break-system-packages chdb-core >/dev/null 2>&1 || {
            echo "ensure-clickhouse: pip install chdb-core failed" >&2
            return 1
        }
    fi
}

start() {
    local dir=$1 port=$2
    have_all || install
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    local remote="<remote_servers><triage_two_shards>"
    for i in 1 2; do
        remote+="<shard><replica><host>127.0.0.1</host><port>$((port + 10 + i - 1))</port></replica></shard>"
    done
    remote+="</triage_two_shards></remote_servers>"
    for i in 1 2; do
        local s="$dir/s$i"
        mkdir -p "$s/data" "$s/log"
        python3 - "$s" "$((port + i - 1))" "$((port + 10 + i - 1))" "$((port + 20 + i - 1))" "$remote" <<'EOF'
import re, sys
s, http, tcp, inter, remote = sys.argv[1:]
c = open('/etc/clickhouse-server/config.xml').read()
c = c.replace('/var/lib/clickhouse/', s + '/data/').replace('/var/log/clickhouse-server/', s + '/log/')
c = re.sub(r'<http_port>\d+</http_port>', f'<http_port>{http}</http_port>', c)
c = re.sub(r'<tcp_port>\d+</tcp_port>', f'<tcp_port>{tcp}</tcp_port>', c)
c = re.sub(r'<interserver_http_port>\d+</interserver_http_port>', f'<interserver_http_port>{inter}</interserver_http_port>', c)
# No TLS ports: they need certificates, and a second server would clash on them.
c = re.sub(r'\s*<https_port>\d+</https_port>', '', c)
c = re.sub(r'\s*<tcp_port_secure>\d+</tcp_port_secure>', '', c)
c = re.sub(r'<remote_servers.*?</remote_servers>', remote, c, flags=re.S)
# Loopback over IPv4 only: a machine without IPv6 must not stop the start.
c = c.replace('<listen_host>::1</listen_host>', '')
open(s + '/config.xml', 'w').write(c)
u = open('/etc/clickhouse-server/users.xml').read()
triage = ('<triage><password>triage-secret</password><networks><ip>::/0</ip></networks>'
          '<profile>default</profile><quota>default</quota></triage>')
u = u.replace('</users>', triage + '</users>', 1)
open(s + '/users.xml', 'w').write(u)
EOF
        (cd "$s" && exec "$(server_bin)" --config-file="$s/config.xml" >"$s/stdout.log" 2>&1) &
        echo $! >"$s/pid"
    done
    local deadline=$((SECONDS + 30))
    for i in 1 2; do
        until curl -sf "http://127.0.0.1:$((port + i - 1))/?query=SELECT%201" >/dev/null 2>&1; do
            if [ $SECONDS -ge $deadline ] || ! kill -0 "$(cat "$dir/s$i/pid")" 2>/dev/null; then
                echo "ensure-clickhouse: shard $i did not start; its log:" >&2
                tail -n 30 "$dir/s$i/log/clickhouse-server.err.log" "$dir/s$i/stdout.log" >&2 2>/dev/null || true
                stop "$dir"
                exit 1
            fi
            sleep 0.1
        done
    done
    echo "$port $((port + 1))"
}

stop() {
    local dir=$1
    for i in 1 2; do
        local f="$dir/s$i/pid"
        [ -f "$f" ] || continue
        local pid
        pid=$(cat "$f")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$f"
    done
}

case "${1:-install}" in
    install) install ;;
    start) start "$2" "$3" ;;
    stop) stop "$2" ;;
    *) echo "usage: $0 [install | start DIR PORT | stop DIR]" >&2; exit 2 ;;
esac
