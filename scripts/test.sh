#!/usr/bin/env bash
# Runs the suite against a throwaway PostgreSQL, Redis and S3 server (moto) on free
# loopback ports, installing PostgreSQL and Redis (and Chromium for the browser
# tests) with apt when missing and root. All are stopped afterwards, whatever happened.
#   scripts/test.sh                 the whole suite
#   scripts/test.sh tests/e2e       some tests (any pytest arguments)
#   scripts/test.sh --bench         the benchmarks (tests/bench), printing figures
#   scripts/test.sh --load [chaos]  a clinic morning under load (make loadtest), or
#                                   under faults (make chaos): loadtest/
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

apt_updated=""
apt_install() {
  if [ "$(id -u)" != "0" ]; then
    echo "!! $1 is missing and this is not root: install $*" >&2
    return 1
  fi
  if [ -z "$apt_updated" ]; then
    apt-get update -q >/dev/null
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "== installing PostgreSQL"
  apt_install postgresql postgresql-contrib
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "== installing Redis"
  apt_install redis-server
fi
if ! command -v pdftoppm >/dev/null 2>&1; then
  # The PDF tests render pages to images to look at them (and decode barcodes).
  echo "== installing poppler-utils (pdftoppm)"
  apt_install poppler-utils
fi
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "== installing Chromium for the browser tests"
  apt_install chromium || echo "!! Chromium could not be installed; browser tests will skip"
fi

free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

tmp=$(mktemp -d /tmp/clinicops-test.XXXXXX)
chmod 755 "$tmp"
pg_port=$(free_port)
redis_port=$(free_port)
s3_port=$(free_port)
as_pg=()
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$tmp" postgres
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  status=$?
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$tmp/pg" -m immediate stop >/dev/null 2>&1 || true
  if [ -f "$tmp/redis.pid" ]; then kill "$(cat "$tmp/redis.pid")" 2>/dev/null || true; fi
  if [ -n "${s3_pid:-}" ]; then kill "$s3_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
  exit $status
}
trap cleanup EXIT INT TERM

echo "== PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port, S3 (moto) on 127.0.0.1:$s3_port"
# The object store: moto's S3 server (requirements-dev.txt), in memory.
.venv/bin/moto_server -H 127.0.0.1 -p "$s3_port" >"$tmp/moto.log" 2>&1 &
s3_pid=$!
mkdir -p "$tmp/pg"
[ "$(id -u)" = "0" ] && chown postgres "$tmp/pg"
"${as_pg[@]}" "$pg_bin/initdb" -D "$tmp/pg" -U clinicops --auth=trust --encoding=UTF8 \
  --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log"; exit 1; }
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg/server.log" -w -t 60 start \
  -o "-p $pg_port -k $tmp/pg -c listen_addresses=127.0.0.1 -c fsync=off \
      -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize yes --pidfile "$tmp/redis.pid" --dir "$tmp" --logfile "$tmp/redis.log" \
  --databases 64

# Two roles, as in production: clinicops (the bootstrap superuser here) owns the
# tables and runs migrate; the app and its tests connect as clinicops_app, which
# owns nothing (tests/conftest.py creates the test databases as the owner).
"$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U clinicops -d postgres -c \
  "CREATE ROLE clinicops_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" >/dev/null
export MIGRATE_DATABASE_URL="postgres://clinicops@127.0.0.1:$pg_port/clinicops"
export DATABASE_URL="postgres://clinicops_app@127.0.0.1:$pg_port/clinicops"
export ACCESS_LOG_HMAC_KEY="test-only-access-log-key-not-for-production"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
export SECRET_KEY="test-only-secret-key-not-for-production"
export ALLOWED_HOSTS="*"
# The throwaway servers speak plain http; production defaults to https only.
export HTTPS="off"
export STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage"
export CLINICOPS_VAR_DIR="$tmp/var"
# Files go to the S3 server, as in production (tests that check the embedded
# default's folders switch to them themselves: tests/conftest.py).
export STORAGE_BACKEND="s3"
export AWS_STORAGE_BUCKET_NAME="clinicops-test"
export AWS_S3_ENDPOINT_URL="http://127.0.0.1:$s3_port"
export AWS_S3_REGION_NAME="us-east-1"
export AWS_S3_ADDRESSING_STYLE="path"
export AWS_ACCESS_KEY_ID="test-only" AWS_SECRET_ACCESS_KEY="test-only"
$PY - <<'PY' || { cat "$tmp/moto.log"; exit 1; }
import os, time
import boto3
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"],
                  region_name=os.environ["AWS_S3_REGION_NAME"])
for attempt in range(300):
    try:
        s3.create_bucket(Bucket=os.environ["AWS_STORAGE_BUCKET_NAME"])
        break
    except Exception:  # not listening yet
        if attempt == 299:
            raise
        time.sleep(0.1)
PY
mkdir -p "$CLINICOPS_VAR_DIR/staticfiles"

if [ "${1:-}" = "--load" ]; then
  shift
  # The fault campaign stops and starts these servers itself.
  export PG_BIN="$pg_bin" PG_DATA="$tmp/pg" PG_AS="${as_pg[*]}" PG_PORT="$pg_port"
  export REDIS_PORT="$redis_port" REDIS_DIR="$tmp"
  $PY -m loadtest "$@"
  exit $?
fi

if [ "${1:-}" = "--bench" ]; then
  shift
  # The benchmarks drop and rebuild indexes to compare plans: the owner's work.
  export DATABASE_URL="$MIGRATE_DATABASE_URL"
  unset MIGRATE_DATABASE_URL
  # They fill tables with a million rows in one statement: no page's time limit.
  export DB_STATEMENT_TIMEOUT_MS=0
  $PY -m pytest tests/bench -p no:xdist -s -q "$@"
  exit $?
fi

# The suite itself runs ruff and makemigrations --check (tests/clinic/test_platform.py).
[ $# -eq 0 ] && set -- tests --ignore=tests/bench
echo "== pytest"
$PY -m pytest -n 2 "$@"
