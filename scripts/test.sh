#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine, then the suite itself.
# Idempotent: what is already there is not installed again.
#
# PostgreSQL: the script starts its own throwaway cluster (initdb in a temp dir, trust auth on
# loopback only, a free port, database `test`) and stops and deletes it when it exits, so it
# neither needs nor touches a server the machine may run (nor its pg_hba.conf). The tests read
# its URL from TALENTGRAPH_TEST_PG; set that yourself to use another server instead.
# Hand-written rather than pytest-postgresql: that plugin starts one cluster per xdist worker
# and, like initdb itself, cannot run as root; here one cluster serves both workers and root
# hands initdb to the `postgres` system user the Debian package creates.
#
# TALENTGRAPH_TEST_REQUIRE=postgres,browser,spark (set by .ci/run, or CI=true) makes the tests that
# need those services fail, not skip, when they are missing.
set -euo pipefail

PG_DIR=""
PG_BIN=""
PG_RUN=()

pg_bindir() {
  # Debian installs the server binaries under /usr/lib/postgresql/<version>/bin, off PATH
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  dir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
  [ -x "$dir/initdb" ] && echo "$dir"
}

free_port() {
  "${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

install_missing() {
  local need_apt=()
  "${PYTHON:-python3}" -c 'import ensurepip, venv' 2>/dev/null || need_apt+=(python3-venv)
  [ -n "$(pg_bindir || true)" ] || need_apt+=(postgresql)
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
  command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)  # the Spark tests
  if [ ${#need_apt[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "missing ${need_apt[*]} and no apt-get to install them" >&2
      return 1
    fi
    echo "installing Debian packages: ${need_apt[*]}"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
}

stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
    "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
  PG_DIR=""
}

start_postgres() {
  # sets TALENTGRAPH_TEST_PG; call stop_postgres when done (main does, on exit)
  PG_BIN=$(pg_bindir) || { echo "no PostgreSQL server binaries (initdb)" >&2; return 1; }
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/talentgraph-pg.XXXXXX")
  PG_RUN=()
  if [ "$(id -u)" = 0 ]; then
    # initdb and postgres refuse to run as root
    chown postgres: "$PG_DIR"
    PG_RUN=(runuser -u postgres --)
    if ! "${PG_RUN[@]}" test -w "$PG_DIR"; then
      echo "the postgres user cannot reach $PG_DIR: set TMPDIR to a folder it can enter" >&2
      return 1
    fi
  fi
  "${PG_RUN[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 \
    --no-locale >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  local port tries
  for tries in 1 2 3 4 5; do  # the port may be taken between choosing and binding it
    port=$(free_port)
    if "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    then
      "${PG_RUN[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres test
      export TALENTGRAPH_TEST_PG="postgresql+psycopg://postgres@127.0.0.1:$port/test"
      echo "throwaway PostgreSQL on 127.0.0.1:$port ($PG_DIR)"
      return 0
    fi
    echo "PostgreSQL did not start on port $port (try $tries):" >&2
    tail -5 "$PG_DIR/server.log" >&2 || true
  done
  return 1
}

main() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  install_missing
  if [ -z "${TALENTGRAPH_TEST_PG:-}" ]; then
    trap stop_postgres EXIT
    trap 'exit 130' INT TERM  # so that the EXIT trap runs on ^C or a kill too
    start_postgres
  fi
  local py=${PYTHON:-python3}
  [ -x .venv/bin/python ] || "$py" -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -e '.[dev,spark]'
  .venv/bin/ruff check src tests benchmarks
  # not exec: the EXIT trap must stop the cluster after pytest
  .venv/bin/pytest -n 2 --dist loadfile "$@"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
