#!/usr/bin/env bash
# The multi-user server on Aegra, on one machine: PostgreSQL, Redis and N replicas.
#
#   deploy/aegra/local.sh up DIR [N]   start everything, N replicas (default 2)
#   deploy/aegra/local.sh down DIR     stop exactly what `up DIR` started
#
# This is what the test suite and a developer need; production runs the same
# pieces on machines of their own (docs/production.md). `up` keeps everything
# under DIR: PostgreSQL's cluster, Redis's files, the replicas' logs and the
# users' HOMEs (OKX_AUTH_HOMES, which every replica shares). It prints
#
#   REPLICA http://127.0.0.1:PORT PID     one line per replica
#   ENV KEY=VALUE                         each setting a client or a test needs
#
# and exits 0 once every replica answers its health check. It takes from its
# own environment: OKX_CLI (the okx executable; default `okx` on PATH),
# OKX_AUTH_JWT_SECRET (default: a new random secret, kept in DIR/jwt-secret,
# readable by the owner only; PostgreSQL's and Redis's passwords are new random
# ones, in URLs kept the same way), AEGRA_PYTHON (a Python >= 3.12; default the
# newest python3.13 / python3.12 found), and Aegra's own settings such as
# LEASE_DURATION_SECONDS, HEARTBEAT_INTERVAL_SECONDS and REAPER_INTERVAL_SECONDS,
# which reach every replica unchanged.
#
# Aegra needs Python >= 3.12; its venv is deploy/aegra/.venv, built once from
# the repository's pins (../../constraints.txt and ./constraints.txt) and
# rebuilt when they change.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$here/.venv"

die() { echo "local.sh: $*" >&2; exit 1; }

free_port() {
  "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

python_312() {
  local candidate
  for candidate in "${AEGRA_PYTHON:-}" python3.13 python3.12 \
      "$HOME"/.pyenv/versions/3.13*/bin/python "$HOME"/.pyenv/versions/3.12*/bin/python; do
    [ -n "$candidate" ] || continue
    candidate="$(command -v "$candidate" 2>/dev/null)" || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  die "Aegra needs Python >= 3.12 and none was found; set AEGRA_PYTHON to one"
}

# The venv, built from the pins; a stamp records which pins it was built from.
ensure_venv() {
  local stamp="$venv/.installed" pins
  pins="$(cat "$repo/constraints.txt" "$here/constraints.txt" "$repo/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pins" ]; then
    return
  fi
  rm -rf "$venv"
  "$(python_312)" -m venv "$venv"
  "$venv/bin/python" -m pip install -q -c "$repo/constraints.txt" pip
  "$venv/bin/python" -m pip install -q -c "$repo/constraints.txt" -c "$here/constraints.txt" \
    --build-constraint "$repo/constraints.txt" aegra-api -e "$repo[server,agents]"
  echo "$pins" > "$stamp"
}

pg_bindir() {
  local newest
  newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$newest" ] || newest="$(dirname "$(command -v initdb 2>/dev/null || die "PostgreSQL is not installed (apt-get install postgresql)")")"
  echo "$newest"
}

# PostgreSQL refuses to run as root: under root the cluster belongs to the
# `postgres` user, in a folder that user can reach (DIR's parents may be
# private), linked from DIR/pg.
as_pg=()
pg_base() {
  local dir="$1"
  if [ "$(id -u)" -ne 0 ]; then
    mkdir -p "$dir/pg"
    echo "$dir/pg"
    return
  fi
  id postgres >/dev/null 2>&1 || die "running as root but there is no postgres user to run PostgreSQL"
  local base
  base="$(mktemp -d /tmp/okx-auth-aegra-pg.XXXXXX)"
  chown postgres: "$base"
  ln -sfn "$base" "$dir/pg"
  echo "$base"
}

wait_for() {  # URL SECONDS PID: until the URL answers 200, the process dies, or time is up
  local url="$1" until=$((SECONDS + $2)) pid="$3"
  while [ "$SECONDS" -lt "$until" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    "$venv/bin/python" - "$url" <<'PY' && return 0
import sys, urllib.request
try:
    sys.exit(urllib.request.urlopen(sys.argv[1], timeout=2).status != 200)
except Exception:
    sys.exit(1)
PY
    sleep 0.5
  done
  return 1
}

new_secret() {
  "$venv/bin/python" -c 'import secrets; print(secrets.token_hex(32))'
}

private() {  # FILE TEXT: write TEXT to FILE, readable by the owner only
  ( umask 077; printf '%s\n' "$2" > "$1" )
}

start_replica() {  # DIR INDEX MIGRATE
  local dir="$1" index="$2" migrate="$3" port pid
  port="$(free_port)"
  (
    cd "$dir"
    export AEGRA_CONFIG="$repo/langgraph.multiuser.json" DATABASE_URL="$(cat "$dir/database-url")"
    export REDIS_BROKER_ENABLED=true REDIS_URL="$(cat "$dir/redis-url")"
    export OKX_AUTH_HOMES="$dir/homes" OKX_AUTH_JWT_SECRET="$(cat "$dir/jwt-secret")"
    export RUN_MIGRATIONS_ON_STARTUP="$migrate" LOG_LEVEL="${LOG_LEVEL:-WARNING}"
    [ -z "${OKX_CLI:-}" ] || export OKX_CLI
    exec setsid "$venv/bin/python" -m uvicorn aegra_api.main:app \
      --host 127.0.0.1 --port "$port" >"$dir/replica-$index.log" 2>&1
  ) &
  pid=$!
  echo "$port $pid" >> "$dir/replicas"
  wait_for "http://127.0.0.1:$port/health" 120 "$pid" || {
    tail -n 30 "$dir/replica-$index.log" >&2
    die "replica $index (port $port) did not become healthy; its log is $dir/replica-$index.log"
  }
}

up() {
  local dir="$1" count="${2:-2}"
  [[ "$count" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive number of replicas, not '$count'"
  [ ! -e "$dir/replicas" ] || die "$dir is in use; run: $0 down $dir"
  mkdir -p "$dir/homes" "$dir/redis"
  dir="$(cd "$dir" && pwd)"
  failed_up="$dir"
  trap 'down "$failed_up" >/dev/null 2>&1' EXIT  # a failed `up` leaves nothing running
  chmod 700 "$dir/homes"
  ensure_venv

  # Loopback is shared with every user of the machine: both services ask for a
  # password of their own, kept (like every URL that holds one) readable by the owner only.
  local pg_password redis_password
  pg_password="$(new_secret)"
  redis_password="$(new_secret)"

  # PostgreSQL: a private cluster on a free loopback port, its socket in a folder only the
  # cluster's user can open (the one way in without the password, used to create the database).
  local bindir base pg_port
  bindir="$(pg_bindir)"
  base="$(pg_base "$dir")"
  [ "$(id -u)" -ne 0 ] || as_pg=(runuser -u postgres --)
  printf '%s\n' "$pg_password" | "${as_pg[@]}" sh -c 'umask 077; cat > "$1"' _ "$base/pwfile"
  "${as_pg[@]}" "$bindir/initdb" -D "$base/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 --pwfile="$base/pwfile" --encoding=UTF8 --no-locale \
    >"$dir/pg-init.log" 2>&1 || die "initdb failed: see $dir/pg-init.log"
  "${as_pg[@]}" rm -f "$base/pwfile"
  "${as_pg[@]}" mkdir -m 700 -p "$base/sockets"
  pg_port="$(free_port)"
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $base/sockets" start >/dev/null \
    || die "PostgreSQL did not start: see $base/server.log"
  echo "$bindir" > "$dir/pg-bindir"
  "${as_pg[@]}" "$bindir/createdb" -h "$base/sockets" -p "$pg_port" -U postgres aegra
  private "$dir/database-url" "postgresql://postgres:$pg_password@127.0.0.1:$pg_port/aegra"

  # Redis: no persistence (the job queue is rebuilt from PostgreSQL's runs). Its password is
  # read from stdin, so no process listing shows it.
  local redis_port
  redis_port="$(free_port)"
  printf 'requirepass %s\n' "$redis_password" | redis-server - --bind 127.0.0.1 \
    --port "$redis_port" --dir "$dir/redis" --save "" --appendonly no --daemonize yes \
    --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" >/dev/null \
    || die "Redis did not start (apt-get install redis-server)"
  private "$dir/redis-url" "redis://:$redis_password@127.0.0.1:$redis_port/0"

  private "$dir/jwt-secret" "${OKX_AUTH_JWT_SECRET:-$(new_secret)}"

  # The first replica migrates the schema; the others start on it.
  local index
  : > "$dir/replicas"
  start_replica "$dir" 1 true
  for ((index = 2; index <= count; index++)); do
    start_replica "$dir" "$index" false
  done

  local port pid
  while read -r port pid; do
    echo "REPLICA http://127.0.0.1:$port $pid"
  done < "$dir/replicas"
  echo "ENV OKX_AUTH_JWT_SECRET=$(cat "$dir/jwt-secret")"
  echo "ENV OKX_AUTH_HOMES=$dir/homes"
  echo "ENV OKX_CLI=${OKX_CLI:-okx}"
  echo "ENV DATABASE_URL=$(cat "$dir/database-url")"
  echo "ENV REDIS_URL=$(cat "$dir/redis-url")"
  trap - EXIT
}

down() {
  local dir="$1" port pid
  [ -d "$dir" ] || die "no such folder: $dir"
  if [ -f "$dir/replicas" ]; then
    while read -r port pid; do  # each replica leads a session of its own (setsid)
      kill -TERM -- "-$pid" 2>/dev/null || true
    done < "$dir/replicas"
    sleep 1
    while read -r port pid; do
      kill -KILL -- "-$pid" 2>/dev/null || true
    done < "$dir/replicas"
    rm -f "$dir/replicas"
  fi
  if [ -f "$dir/redis/redis.pid" ]; then
    kill "$(cat "$dir/redis/redis.pid")" 2>/dev/null || true
    rm -f "$dir/redis/redis.pid"
  fi
  if [ -f "$dir/pg-bindir" ] && [ -e "$dir/pg/data" ]; then
    [ "$(id -u)" -ne 0 ] || as_pg=(runuser -u postgres --)
    "${as_pg[@]}" "$(cat "$dir/pg-bindir")/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    if [ -L "$dir/pg" ]; then
      rm -rf "$(readlink "$dir/pg")"
      rm -f "$dir/pg"
    fi
    rm -f "$dir/pg-bindir"
  fi
}

case "${1:-}" in
  up) [ $# -ge 2 ] || die "usage: $0 up DIR [N]"; up "$2" "${3:-2}" ;;
  down) [ $# -eq 2 ] || die "usage: $0 down DIR"; down "$2" ;;
  *) die "usage: $0 up DIR [N] | $0 down DIR" ;;
esac
