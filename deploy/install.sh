#!/usr/bin/env bash
# Install or update Estimator on this machine (Debian/Ubuntu with apache2, Amazon Linux/RHEL
# with httpd), as root, from the checkout this script is in:
#
#   sudo SERVER_NAME=estimator.example.com ./deploy/install.sh
#
# Idempotent: run it again after `git pull` to update. It creates the service user and
# folders, copies the code to /opt/estimator, builds /opt/estimator/.venv from the system
# Python 3.11+, writes /opt/estimator/.env from deploy/env.example only when missing,
# backs up an existing SQLite database, migrates it as the service user, installs and
# enables the systemd units and the Apache vhost, and (re)starts the app.
# It never overwrites .env, an edited vhost, the htpasswd file or the certificates.
#
# DESTDIR=/some/folder installs into that folder instead of / (for staging and the tests):
# users go to DESTDIR/etc/passwd, units are enabled with `systemctl --root`, nothing is started.
# Removal: deploy/uninstall.sh.
set -euo pipefail

SERVICE_USER=${SERVICE_USER:-estimator}
SERVER_NAME=${SERVER_NAME:-}
DESTDIR=${DESTDIR:-}
readonly APP_DIR=/opt/estimator DATA_DIR=/var/lib/estimator BACKUP_DIR=/var/backups/estimator
readonly MODULES=(proxy proxy_http proxy_wstunnel ssl headers rewrite alias auth_basic authn_file authz_user)

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
app=$DESTDIR$APP_DIR
data=$DESTDIR$DATA_DIR
backups=$DESTDIR$BACKUP_DIR
units=$DESTDIR/etc/systemd/system

say() { printf '==> %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (sudo $0)"
[ -z "$DESTDIR" ] || [[ $DESTDIR = /* ]] || die "DESTDIR must be an absolute path"
[ -f "$source_dir/app.py" ] && [ -f "$source_dir/requirements.txt" ] || die "$source_dir is not an Estimator checkout"

# Services may only run what a system user can reach: a Python under /root or /home
# (pyenv, conda) is hidden by ProtectHome=, so the venv is built from the system Python.
pick_python() {
  local candidate
  for candidate in "${PYTHON:-}" /usr/bin/python3.13 /usr/bin/python3.12 /usr/bin/python3.11 /usr/bin/python3; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  die "Python 3.11+ not found in /usr/bin (Amazon Linux: dnf install python3.11; Debian 12: apt-get install python3 python3-venv)"
}

# Names → numbers from the target's own user database, so DESTDIR works without touching /etc.
lookup() { # lookup passwd|group NAME FIELD
  if [ -n "$DESTDIR" ]; then
    awk -F: -v name="$2" -v field="$3" '$1 == name { print $field; exit }' "$DESTDIR/etc/$1"
  else
    getent "$1" "$2" | cut -d: -f"$3"
  fi
}

ensure_user() {
  if [ -n "$(lookup passwd "$SERVICE_USER" 3)" ]; then
    return
  fi
  local shell=/usr/sbin/nologin root_args=()
  [ -x /usr/sbin/nologin ] || shell=/sbin/nologin
  [ -z "$DESTDIR" ] || root_args=(--root "$DESTDIR")
  say "Creating system user $SERVICE_USER (home $DATA_DIR, no login)"
  useradd "${root_args[@]}" --system --user-group --home-dir "$DATA_DIR" --no-create-home \
    --shell "$shell" --comment "Estimator service" "$SERVICE_USER"
}

# Replace the code in APP_DIR with the checkout's, keeping the venv, .env and data. A plain copy
# (no rsync on minimal images); files are root's, so the service cannot change its own code.
copy_code() {
  if [ "$(cd "$app" && pwd -P)" = "$(cd "$source_dir" && pwd -P)" ]; then
    say "Code is already in $APP_DIR"
    return
  fi
  say "Copying the code to $APP_DIR"
  # A ./data left by run.sh survives too: it may hold the only copy of a database.
  find "$app" -mindepth 1 -maxdepth 1 ! -name .venv ! -name .env ! -name data ! -name uploads -exec rm -rf -- {} +
  tar -C "$source_dir" -cf - \
    --exclude=./.git --exclude=./.venv --exclude=./.env --exclude=./data --exclude=./uploads \
    --exclude=__pycache__ --exclude=./.pytest_cache --exclude=./.ruff_cache --exclude=./.hypothesis \
    --exclude=./test-output . | tar -C "$app" --no-same-owner -xf -
  # Readable by the service whatever the checkout's umask was; writable by root only.
  find "$app" -mindepth 1 -maxdepth 1 ! -name .venv ! -name .env ! -name data ! -name uploads \
    -exec chmod -R u+rwX,go+rX,go-w {} +
}

ensure_venv() {
  local python home
  python=$(pick_python)
  if [ -f "$app/.venv/pyvenv.cfg" ]; then
    home=$(sed -n 's/^home *= *//p' "$app/.venv/pyvenv.cfg")
    if [[ $home = /root* || $home = /home* ]]; then
      say "Rebuilding $APP_DIR/.venv: it was made from $home, which the service cannot reach"
      rm -rf -- "$app/.venv"
    fi
  fi
  if [ ! -x "$app/.venv/bin/python" ]; then
    say "Creating $APP_DIR/.venv with $python"
    "$python" -m venv "$app/.venv" || die "could not create the venv (Debian: apt-get install python3-venv)"
    "$app/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  fi
  say "Installing Python packages from requirements.txt"
  "$app/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$app/requirements.txt"
}

# The PDF quote embeds a Japanese TrueType font (estimator/pdf/quote.py FONT_CANDIDATES): IPAex Gothic on
# Debian, IPA Gothic on Amazon Linux. Installed on the real host only; with DESTDIR (a staging tree) it says.
ensure_pdf_font() {
  local font
  for font in /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf /usr/share/fonts/truetype/fonts-japanese-gothic.ttf \
    /usr/share/fonts/ipa-gothic/ipag.ttf /usr/share/fonts/ipa-gothic-fonts/ipag.ttf; do
    [ -f "$DESTDIR$font" ] && return 0
  done
  if [ -z "$DESTDIR" ] && command -v apt-get >/dev/null 2>&1; then
    say "Installing the PDF quote's Japanese font (fonts-ipaexfont-gothic)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-ipaexfont-gothic >/dev/null && return 0
  elif [ -z "$DESTDIR" ] && command -v dnf >/dev/null 2>&1; then
    say "Installing the PDF quote's Japanese font (ipa-gothic-fonts)"
    dnf install -y -q ipa-gothic-fonts >/dev/null 2>&1 && return 0
  fi
  say "No Japanese TrueType font for the PDF quote: install fonts-ipaexfont-gothic (Debian) or ipa-gothic-fonts (Amazon Linux), or set PDF_FONT in .env"
}

ensure_env_file() {
  local uid=$1 gid=$2 missing_keys
  if [ ! -f "$app/.env" ]; then
    say "Writing $APP_DIR/.env from deploy/env.example (edit it, then restart)"
    install -m 600 -o "$uid" -g "$gid" "$app/deploy/env.example" "$app/.env"
    return
  fi
  chown "$uid:$gid" "$app/.env"
  chmod 600 "$app/.env"
  # New settings get their defaults; say which, so the operator can decide.
  missing_keys=$(comm -23 \
    <(sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p' "$app/deploy/env.example" | sort -u) \
    <(sed -n 's/^ *\([A-Z][A-Z0-9_]*\) *=.*/\1/p' "$app/.env" | sort -u) | paste -sd ' ' -)
  say "Keeping $APP_DIR/.env${missing_keys:+ (not set there, defaults apply: $missing_keys)}"
}

# Run a command as the service user with a clean environment, in APP_DIR (where .env is).
# setpriv takes numbers, so it also works for a user that exists only in DESTDIR.
as_service_user() {
  local uid=$1 gid=$2
  shift 2
  local environment=(PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME="$data")
  # Staged: .env names the final data folder; point the app at the staged one.
  [ -z "$DESTDIR" ] || environment+=(DATA_DIR="$data")
  (cd "$app" && setpriv --reuid="$uid" --regid="$gid" --clear-groups env -i "${environment[@]}" "$@")
}

migrate() {
  local uid=$1 gid=$2 stamp
  if [ -f "$data/estimator.db" ]; then
    stamp=$(date +%Y%m%dT%H%M%S)
    say "Backing up the database before migrating: $BACKUP_DIR/pre-update-$stamp.db"
    as_service_user "$uid" "$gid" "$app/.venv/bin/python" -m estimator backup -o "$backups/pre-update-$stamp.db"
  fi
  say "Migrating the database (init-db) as $SERVICE_USER"
  as_service_user "$uid" "$gid" "$app/.venv/bin/python" -m estimator init-db
}

install_units() {
  local systemctl=(systemctl)
  [ -z "$DESTDIR" ] || systemctl+=(--root="$DESTDIR")
  say "Installing systemd units into /etc/systemd/system"
  install -d -m 755 "$units"
  install -m 644 "$app/deploy/estimator.service" "$app/deploy/estimator-backup.service" \
    "$app/deploy/estimator-backup.timer" "$units/"
  if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
  fi
  "${systemctl[@]}" enable --quiet estimator.service estimator-backup.timer
  if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
    say "Restarting estimator and the backup timer"
    systemctl restart estimator.service
    systemctl restart estimator-backup.timer
  fi
}

# Render the vhost for SERVER_NAME; an edited copy is kept and the new one put beside it.
place_vhost() {
  local target=$1 rendered
  rendered=$(mktemp)
  sed "s/estimator\.example\.com/${SERVER_NAME:-estimator.example.com}/g" "$app/deploy/apache/estimator.conf" >"$rendered"
  if [ ! -f "$target" ]; then
    install -m 644 "$rendered" "$target"
    say "Apache vhost: $target"
  elif cmp -s "$rendered" "$target"; then
    say "Apache vhost unchanged: $target"
  else
    install -m 644 "$rendered" "$target.new"
    say "Kept your edited $target; the new version is $target.new (diff them)"
  fi
  rm -f -- "$rendered"
}

install_apache() {
  local conf_dir group flavour
  if [ -d "$DESTDIR/etc/apache2" ]; then
    flavour=debian conf_dir=$DESTDIR/etc/apache2 group=www-data
    place_vhost "$conf_dir/sites-available/estimator.conf"
    # a2enmod/a2ensite take the configuration root from these, so DESTDIR works too.
    APACHE_CONFDIR=$conf_dir APACHE_STATE_DIRECTORY=$DESTDIR/var/lib/apache2 a2enmod -q "${MODULES[@]}" >/dev/null
    APACHE_CONFDIR=$conf_dir APACHE_STATE_DIRECTORY=$DESTDIR/var/lib/apache2 a2ensite -q estimator >/dev/null
  elif [ -d "$DESTDIR/etc/httpd/conf.d" ]; then
    flavour=rhel conf_dir=$DESTDIR/etc/httpd group=apache
    [ -f "$conf_dir/conf.d/ssl.conf" ] || say "mod_ssl is missing: dnf install mod_ssl"
    place_vhost "$conf_dir/conf.d/estimator.conf"
  else
    say "Apache not found: install apache2 (Debian) or httpd mod_ssl (Amazon Linux), then run this again"
    return
  fi
  # The password file's folder: readable by Apache's workers, not by everyone.
  install -d -m 750 -o root -g "$(lookup group "$group" 3)" "$DESTDIR/etc/estimator"
  [ -z "$SERVER_NAME" ] && say "SERVER_NAME was not given: edit ServerName and the certificate paths in the vhost"
  if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ] && [ -f "/etc/letsencrypt/live/$SERVER_NAME/fullchain.pem" ]; then
    if [ "$flavour" = debian ]; then
      apache2ctl configtest && systemctl reload apache2
    else
      apachectl configtest && systemctl reload httpd
    fi
  fi
}

next_steps() {
  local htpasswd_file=/etc/estimator/htpasswd create="" name=${SERVER_NAME:-estimator.example.com}
  [ -f "$DESTDIR$htpasswd_file" ] || create="-c "
  cat <<EOF

Estimator is installed. Next steps (deploy/RUNBOOK.md has the details):
  1. Settings:      sudoedit $APP_DIR/.env && sudo systemctl restart estimator
  2. Certificate:   sudo certbot certonly --webroot -w /var/www/letsencrypt -d $name
  3. A user:        sudo htpasswd ${create}-B $htpasswd_file USERNAME
                    sudo chgrp www-data $htpasswd_file && sudo chmod 640 $htpasswd_file   (Amazon Linux: apache)
  4. Apache:        sudo apache2ctl configtest && sudo systemctl reload apache2   (Amazon Linux: apachectl, httpd)
  5. Check:         systemctl status estimator; curl -s 127.0.0.1:8100/_stcore/health
EOF
}

main() {
  local uid gid
  umask 022
  ensure_user
  uid=$(lookup passwd "$SERVICE_USER" 3)
  gid=$(lookup passwd "$SERVICE_USER" 4)
  [ -n "$uid" ] && [ -n "$gid" ] || die "user $SERVICE_USER has no uid/gid"
  install -d -m 755 -o root -g root "$app"
  install -d -m 750 -o "$uid" -g "$gid" "$data" "$backups"
  copy_code
  ensure_venv
  ensure_pdf_font
  ensure_env_file "$uid" "$gid"
  migrate "$uid" "$gid"
  install_units
  install_apache
  next_steps
}

main "$@"
