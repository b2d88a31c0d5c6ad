#!/usr/bin/env bash
# Remove what deploy/install.sh set up, as root:
#
#   sudo /opt/estimator/deploy/uninstall.sh           # service, timer and vhost; data stays
#   sudo /opt/estimator/deploy/uninstall.sh --purge   # also code, .env, data, backups, htpasswd, user
#
# Without --purge a later install.sh brings everything back as it was. Apache modules stay
# enabled (other sites may use them); the Let's Encrypt certificate stays (certbot delete).
# DESTDIR works as for install.sh.
set -euo pipefail

SERVICE_USER=${SERVICE_USER:-estimator}
DESTDIR=${DESTDIR:-}
readonly APP_DIR=/opt/estimator DATA_DIR=/var/lib/estimator BACKUP_DIR=/var/backups/estimator

say() { printf '==> %s\n' "$*"; }
die() { printf 'uninstall.sh: %s\n' "$*" >&2; exit 1; }

purge=no
case "${1:-}" in
  "") ;;
  --purge) purge=yes ;;
  *) die "usage: $0 [--purge]" ;;
esac
[ "$(id -u)" = 0 ] || die "run as root (sudo $0)"

live=no
[ -z "$DESTDIR" ] && [ -d /run/systemd/system ] && live=yes
systemctl=(systemctl)
[ -z "$DESTDIR" ] || systemctl+=(--root="$DESTDIR")

say "Stopping and disabling estimator.service and estimator-backup.timer"
if [ "$live" = yes ]; then
  systemctl disable --now --quiet estimator-backup.timer estimator.service 2>/dev/null || true
else
  "${systemctl[@]}" disable --quiet estimator-backup.timer estimator.service 2>/dev/null || true
fi
rm -f -- "$DESTDIR"/etc/systemd/system/estimator{.service,-backup.service,-backup.timer}
rm -rf -- "$DESTDIR"/etc/systemd/system/estimator{,-backup}.service.d
[ "$live" = no ] || systemctl daemon-reload

if [ -d "$DESTDIR/etc/apache2" ]; then
  say "Removing the Apache site"
  APACHE_CONFDIR=$DESTDIR/etc/apache2 APACHE_STATE_DIRECTORY=$DESTDIR/var/lib/apache2 \
    a2dissite -q estimator >/dev/null 2>&1 || true
  rm -f -- "$DESTDIR"/etc/apache2/sites-available/estimator.conf{,.new}
  [ "$live" = no ] || systemctl reload apache2 || true
elif [ -d "$DESTDIR/etc/httpd/conf.d" ]; then
  say "Removing the Apache vhost"
  rm -f -- "$DESTDIR"/etc/httpd/conf.d/estimator.conf{,.new}
  [ "$live" = no ] || systemctl reload httpd || true
fi

if [ "$purge" = no ]; then
  say "Kept: $APP_DIR (code, .venv, .env), $DATA_DIR, $BACKUP_DIR, /etc/estimator, user $SERVICE_USER"
  exit 0
fi

say "Purging $APP_DIR, $DATA_DIR, $BACKUP_DIR, /etc/estimator and user $SERVICE_USER"
rm -rf -- "$DESTDIR$APP_DIR" "$DESTDIR$DATA_DIR" "$DESTDIR$BACKUP_DIR" "$DESTDIR/etc/estimator"
root_args=()
[ -z "$DESTDIR" ] || root_args=(--root "$DESTDIR")
if userdel "${root_args[@]}" "$SERVICE_USER" 2>/dev/null; then
  say "User $SERVICE_USER removed"
fi
