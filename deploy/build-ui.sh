#!/usr/bin/env bash
# Puts the dashboard's third-party files in place: installs ui-static's npm
# dependencies (exact versions from package-lock.json) and copies uPlot's
# browser build into ui-static/vendor/ (gitignored, like node_modules).
# Idempotent and quiet; run by deploy/test.sh and deploy/demo.sh.
set -euo pipefail
cd "$(dirname "$0")/../ui-static"
if [ ! -f node_modules/uplot/dist/uPlot.esm.js ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
mkdir -p vendor
for f in uPlot.esm.js uPlot.min.css; do
  cmp -s "node_modules/uplot/dist/$f" "vendor/$f" || cp "node_modules/uplot/dist/$f" "vendor/$f"
done
cp node_modules/uplot/LICENSE vendor/uPlot.LICENSE 2>/dev/null || true
