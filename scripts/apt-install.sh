#!/usr/bin/env bash
# Installs Debian packages quietly for the ensure-*.sh scripts:
#   scripts/apt-install.sh WHO PACKAGE...
# WHO names the caller in messages. Uses sudo only when not root and sudo exists. apt's
# chatter goes to a log that is shown only when the install fails. Packaged services do
# not start here (policy-rc.d, no systemd); the tests start their own servers.
set -euo pipefail

who=$1
shift
if ! command -v apt-get >/dev/null 2>&1; then
    echo "$who: $* missing and apt-get not available; install them by hand" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo -n)
    else
        echo "$who: not root and no sudo; cannot install $*" >&2
        exit 1
    fi
fi
echo "$who: installing $*" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { "${sudo[@]}" apt-get update -qq && \
       "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "$who: apt-get install $* failed" >&2
    exit 1
fi
