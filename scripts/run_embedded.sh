#!/usr/bin/env bash
# The embedded default: Django's server plus a loop of the dispatch_due sweeper, so
# reminders and other due work happen while the server runs. Ctrl-C stops both.
set -euo pipefail
host=${1:-127.0.0.1}
port=${2:-8000}
py=.venv/bin/python
# Links in printed mail (the weekly summary) point at this server unless the
# site address is configured.
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://$host:$port}

$py manage.py dispatch_due --loop 30 &
sweeper=$!
trap 'kill $sweeper 2>/dev/null || true' EXIT INT TERM
$py manage.py runserver --noreload "$host:$port"
