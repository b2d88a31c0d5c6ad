# Sourced by run.sh and test.sh: make .venv from the system Python 3.11+ and
# install a requirements file into it, again only when that file changed.
# A venv from the system Python (not one under /root) is one a service user can run.

pick_python() {
  local candidate
  for candidate in "${PYTHON:-}" /usr/bin/python3.11 /usr/bin/python3.12 /usr/bin/python3.13 /usr/bin/python3 python3.11 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  if [ "$(id -u)" = 0 ] && command -v dnf >/dev/null 2>&1 && [ -z "${PICKED_ONCE:-}" ]; then
    # Amazon Linux 2023 ships Python 3.9 as python3; 3.11 is its own package.
    echo "Installing python3.11 …" >&2
    dnf install -y -q python3.11 python3.11-pip >&2 && PICKED_ONCE=1 pick_python && return 0
  fi
  echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

ensure_venv() {
  local requirements="$1" python stamp wanted
  if [ ! -x .venv/bin/python ]; then
    python=$(pick_python) || exit 1
    if ! "$python" -m venv .venv 2>/dev/null; then
      rm -rf .venv
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing python3-venv …"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        "$python" -m venv .venv
      else
        echo "Could not create .venv with $python: install the venv module (Debian: apt-get install python3-venv)." >&2
        exit 1
      fi
    fi
  fi
  stamp=.venv/.requirements-stamp
  wanted=$(cat requirements*.txt "$requirements" 2>/dev/null | sha256sum | cut -d' ' -f1)-$(basename "$requirements")
  if [ ! -f "$stamp" ] || ! grep -qx -- "$wanted" "$stamp"; then
    echo "Installing Python packages from $requirements …"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$wanted" >> "$stamp"
  fi
}
