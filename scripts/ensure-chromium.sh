#!/usr/bin/env bash
# Makes sure a headless-capable Chromium is installed (Debian's `chromium` package), for
# crates/cli/tests/browser.rs, which renders the HTML report and takes a screenshot.
# Idempotent and quiet: does nothing when `chromium` (or `chromium-browser`,
# `google-chrome`) is on PATH.
set -euo pipefail

for browser in chromium chromium-browser google-chrome; do
    if command -v "$browser" >/dev/null 2>&1; then
        exit 0
    fi
done
"$(dirname "$0")/apt-install.sh" ensure-chromium chromium
command -v chromium >/dev/null 2>&1
