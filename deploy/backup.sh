#!/usr/bin/env bash
# One backup of the Estimator database into BACKUP_DIR, keeping the newest BACKUP_KEEP,
# then the retention purge when DATA_RETENTION_DAYS > 0.
# Run daily by estimator-backup.timer as the service user; by hand:
#   sudo -u estimator BACKUP_DIR=/var/backups/estimator /opt/estimator/deploy/backup.sh
# SQLite is copied with its online backup API (`estimator backup`): a plain cp of a
# live WAL database can miss committed pages. PostgreSQL is dumped with pg_dump.
set -euo pipefail

app_dir=${APP_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
backup_dir=${BACKUP_DIR:-/var/backups/estimator}
keep=${BACKUP_KEEP:-14}
python=${PYTHON:-$app_dir/.venv/bin/python}

if ! [[ $keep =~ ^[0-9]+$ ]] || [ "$keep" -lt 1 ]; then
  echo "BACKUP_KEEP=$keep: expected a whole number of copies, at least 1" >&2
  exit 2
fi

# The app reads .env from its own folder and DATA_DIR relative to it.
cd "$app_dir"

# Ask the app for its settings rather than parsing .env here: one parser, the same
# defaults, and the same one-line error for a bad value.
settings=$("$python" -c '
from estimator.config import ConfigError, load_settings
import sys
try:
    s = load_settings()
except ConfigError as error:
    sys.exit(str(error))
url = s.database_url_effective
print("sqlite" if url.startswith("sqlite") else "postgresql", s.data_retention_days)
')
read -r backend retention <<<"$settings"

mkdir -p "$backup_dir"
stamp=$(date +%Y%m%dT%H%M%S)
if [ "$backend" = sqlite ]; then
  target="$backup_dir/estimator-$stamp.db"
  "$python" -m estimator backup -o "$target"
else
  target="$backup_dir/estimator-$stamp.dump"
  # libpq's variables carry the URL's parts, so the password never shows in `ps`.
  "$python" - "$target" <<'PY'
import os, shutil, sys
from sqlalchemy.engine import make_url
from estimator.config import load_settings
url = make_url(load_settings().database_url_effective)
pg_dump = shutil.which("pg_dump")
if not pg_dump:
    sys.exit("pg_dump is not installed (Debian: postgresql-client, Amazon Linux: postgresql16)")
env = dict(os.environ)
parts = {"PGHOST": url.host or url.query.get("host"), "PGPORT": url.port or url.query.get("port"),
         "PGUSER": url.username, "PGPASSWORD": url.password, "PGDATABASE": url.database}
env.update({key: str(value) for key, value in parts.items() if value})
os.execve(pg_dump, [pg_dump, "--format=custom", "--no-owner", f"--file={sys.argv[1]}"], env)
PY
  echo "Backup written: $target"
fi

# Keep the newest $keep backups; names sort by time (estimator-YYYYmmddTHHMMSS.*).
shopt -s nullglob
export LC_ALL=C
backups=("$backup_dir"/estimator-[0-9]*T[0-9]*.db "$backup_dir"/estimator-[0-9]*T[0-9]*.dump)
if [ ${#backups[@]} -gt "$keep" ]; then
  mapfile -t backups < <(printf '%s\n' "${backups[@]}" | sort -r)
  for old in "${backups[@]:$keep}"; do
    rm -f -- "$old"
    echo "Old backup removed: $old"
  done
fi

if [ "$retention" -gt 0 ]; then
  "$python" -m estimator purge --older-than "$retention"
fi
