#!/usr/bin/env bash
# Install everything the tests need (Python packages; Debian packages when root),
# then lint and run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
have_postgres() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }
have_postgres || missing+=(postgresql)
command -v apache2 >/dev/null 2>&1 || [ -x /usr/sbin/apache2 ] || missing+=(apache2)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "IPAexGothic" || missing+=(fonts-ipaexfont-gothic)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages: ${missing[*]} …"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]} (install them, or run as root on Debian)." >&2
  fi
fi

. scripts/venv.sh
ensure_venv requirements-dev.txt

.venv/bin/ruff check .
.venv/bin/ruff format --check .
# The layer contracts (pyproject.toml [tool.importlinter]) and strict types on estimator/.
.venv/bin/lint-imports --no-cache
.venv/bin/mypy

status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" = 5 ]; then
  echo "pytest collected no tests: that is a failure." >&2
  exit 1
fi
exit "$status"
