#!/usr/bin/env bash
# Starts the servers that the store tests (tests/postgres.rs, tests/object_store.rs) talk to,
# once per run, on 127.0.0.1 and in a temporary folder, and prints the variables the tests
# read (eval them):
#
#   eval "$(bash scripts/test-servers.sh start)"   # SHROUD_TEST_PG_URL, SHROUD_TEST_PG_PASSWORD, ...
#   cargo test
#   bash scripts/test-servers.sh stop "$SHROUD_TEST_SERVERS"
#
# S3: moto's server mode (PyPI `moto[server]`, installed once into target/moto-venv), with
# no authentication; tests create their own buckets.
# PostgreSQL: Debian's server (package postgresql; installed when missing and apt can), a
# fresh cluster with password (SCRAM) authentication on TCP. A server that cannot start is
# reported on stderr and its variables left unset: the tests then say SKIPPED, or fail when
# SHROUD_STORE_TESTS=require.
set -euo pipefail

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

as_pg() {
  # PostgreSQL refuses to run as root: run its programs as the postgres user then.
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_bin() {
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

start_postgres() {
  local dir=$1 bin port pw
  bin=$(pg_bin || true)
  if [ -z "$bin" ] && command -v apt-get >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q postgresql >/dev/null 2>&1 ||
      { $sudo apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q postgresql >/dev/null; } || true
    bin=$(pg_bin || true)
  fi
  if [ -z "$bin" ]; then
    echo "test-servers: no PostgreSQL server (initdb) found" >&2
    return 1
  fi
  port=$(free_port)
  pw="pw-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
  mkdir -p "$dir/pg"
  printf '%s\n' "$pw" >"$dir/pg.pw"
  # A self-signed certificate for 127.0.0.1: TLS is offered, and verified by the tests.
  local ssl=""
  # (a CA of the run's own, and a server certificate it signed: what the tests trust).
  if command -v openssl >/dev/null 2>&1 &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=shroud test CA" \
      -keyout "$dir/pg/ca.key" -out "$dir/pg/ca.crt" >/dev/null 2>&1 &&
    openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
      -keyout "$dir/pg/server.key" -out "$dir/pg/server.csr" >/dev/null 2>&1 &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' >"$dir/pg/ext.cnf" &&
    openssl x509 -req -in "$dir/pg/server.csr" -CA "$dir/pg/ca.crt" -CAkey "$dir/pg/ca.key" \
      -CAcreateserial -days 2 -extfile "$dir/pg/ext.cnf" -out "$dir/pg/server.crt" >/dev/null 2>&1; then
    chmod 600 "$dir/pg/server.key"
    ssl="-c ssl=on -c ssl_cert_file=$dir/pg/server.crt -c ssl_key_file=$dir/pg/server.key"
  fi
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$dir/pg" "$dir/pg.pw"; chmod 755 "$dir"; fi
  as_pg "$bin/initdb" -D "$dir/pg/data" -U shroud --pwfile="$dir/pg.pw" \
    --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/pg/initdb.log" 2>&1 ||
    { echo "test-servers: initdb failed (see $dir/pg/initdb.log)" >&2; return 1; }
  as_pg "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir/pg -c fsync=off -c full_page_writes=off -c synchronous_commit=off $ssl" \
    start >/dev/null ||
    { echo "test-servers: PostgreSQL did not start (see $dir/pg/server.log)" >&2; return 1; }
  echo "export SHROUD_TEST_PG_URL='postgres://shroud@127.0.0.1:$port/postgres'"
  echo "export SHROUD_TEST_PG_PASSWORD='$pw'"
  echo "export SHROUD_TEST_PG_BIN='$bin'"
  [ -n "$ssl" ] && echo "export SHROUD_TEST_PG_CA='$dir/pg/ca.crt'"
  return 0
}

start_s3() {
  # moto's server mode (PyPI), an S3-compatible server, in its own venv (kept in target/).
  local dir=$1 venv port
  venv="$(cd "$(dirname "$0")/.." && pwd)/target/moto-venv"
  if [ ! -x "$venv/bin/moto_server" ]; then
    python3 -m venv "$venv" >/dev/null &&
      "$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]>=5,<6' >"$dir/moto-install.log" 2>&1 ||
      { echo "test-servers: installing moto failed (see $dir/moto-install.log)" >&2; return 1; }
  fi
  # One server without authentication (the tests' buckets), one that checks every key (it
  # knows none: any credentials are bad there).
  local open_port auth_port
  open_port=$(free_port)
  "$venv/bin/moto_server" -H 127.0.0.1 -p "$open_port" >"$dir/moto.log" 2>&1 &
  echo $! >"$dir/moto.pid"
  auth_port=$(free_port)
  INITIAL_NO_AUTH_ACTION_COUNT=0 "$venv/bin/moto_server" -H 127.0.0.1 -p "$auth_port" >"$dir/moto-auth.log" 2>&1 &
  echo $! >"$dir/moto-auth.pid"
  for port in "$open_port" "$auth_port"; do
    local up=""
    for _ in $(seq 1 100); do
      if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
        up=1
        break
      fi
      sleep 0.2
    done
    [ -n "$up" ] || { echo "test-servers: moto did not start (see $dir/moto*.log)" >&2; return 1; }
  done
  echo "export SHROUD_TEST_S3_ENDPOINT='http://127.0.0.1:$open_port'"
  echo "export SHROUD_TEST_S3_AUTH_ENDPOINT='http://127.0.0.1:$auth_port'"
}

case "${1:-}" in
  start)
    dir=$(mktemp -d /tmp/shroud-servers.XXXXXX)
    echo "export SHROUD_TEST_SERVERS='$dir'"
    start_postgres "$dir" || true
    start_s3 "$dir" || true
    ;;
  stop)
    dir=${2:-${SHROUD_TEST_SERVERS:-}}
    [ -n "$dir" ] && [ -d "$dir" ] || exit 0
    if [ -d "$dir/pg/data" ]; then
      bin=$(pg_bin || true)
      [ -n "$bin" ] && as_pg "$bin/pg_ctl" -D "$dir/pg/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    for pid in "$dir"/moto*.pid; do
      [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
    done
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop [DIR]" >&2
    exit 2
    ;;
esac
