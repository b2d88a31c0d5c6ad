#!/usr/bin/env bash
# Set up (first run) and start Estimator on HOST:PORT (default http://127.0.0.1:8100).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/venv.sh
ensure_venv requirements.txt
.venv/bin/python -m estimator init-db
exec .venv/bin/python -m estimator serve
