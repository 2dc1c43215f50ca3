#!/usr/bin/env bash
# Makes sure a headless-capable Chromium is installed (Debian's `chromium` package), for
# crates/cli/tests/browser.rs, which renders the HTML report and takes a screenshot.
# Idempotent and quiet: does nothing when `chromium` (or `chromium-browser`,
# `google-chrome`) is on PATH. Uses sudo only when not root and sudo exists.
set -euo pipefail

for browser in chromium chromium-browser google-chrome; do
    if command -v "$browser" >/dev/null 2>&1; then
        exit 0
    fi
done
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: chromium missing and apt-get not available; install Chromium by hand" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo -n)
    else
        echo "ensure-chromium: not root and no sudo; cannot install chromium" >&2
        exit 1
    fi
fi
echo "ensure-chromium: installing chromium" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt's chatter goes to a log that is shown only when the install fails.
if ! { "${sudo[@]}" apt-get update -qq && \
       "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "ensure-chromium: apt-get install chromium failed" >&2
    exit 1
fi
command -v chromium >/dev/null 2>&1
