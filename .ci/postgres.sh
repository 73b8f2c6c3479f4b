# Sourced by .ci/run (and usable by hand: `source .ci/postgres.sh; pg_start`): a throwaway
# PostgreSQL cluster in a temporary directory on a loopback port, for the test suite's
# second pass. pg_start exports SEENTY_TEST_POSTGRES; pg_stop removes everything.
#
# The cluster trusts loopback connections, except for members of the role seenty_pw,
# which must give a password (scram-sha-256), and members of seenty_tls, which must use
# TLS: the tests that check password and TLS handling create such members. TLS uses a
# self-signed certificate for "localhost", exported as SEENTY_TEST_POSTGRES_CA. fsync is
# off: the cluster lives for one test run.

pg_bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && echo "$dir"
  done | sort -V | tail -n 1
}

# Installs Debian's postgresql when no server binaries are found.
pg_install() {
  [ -n "$(pg_bindir)" ] && return 0
  echo "ci: installing postgresql"
  local sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  [ -n "$(pg_bindir)" ]
}

# Below Linux's ephemeral range (32768-60999), so no outgoing connection holds it.
pg_free_port() {
  local port
  for port in $(shuf -i 25432-25931); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# Runs a command as the cluster's owner, from inside the cluster's directory (the server
# user may not be able to enter the current one).
pg_as() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$PG_TEST_DIR" && runuser -u "$PG_TEST_USER" -- "$@")
  else
    (cd "$PG_TEST_DIR" && "$@")
  fi
}

pg_start() {
  local bindir
  bindir="$(pg_bindir)"
  [ -n "$bindir" ] || { echo "ci: no PostgreSQL server binaries" >&2; return 1; }
  PG_TEST_BINDIR="$bindir"
  PG_TEST_DIR="$(mktemp -d /tmp/seenty-pg.XXXXXX)"
  # initdb and the server refuse to run as root.
  PG_TEST_USER="$(id -un)"
  if [ "$(id -u)" -eq 0 ]; then
    PG_TEST_USER=postgres
    id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  chown "$PG_TEST_USER" "$PG_TEST_DIR"
  chmod 700 "$PG_TEST_DIR"
  pg_as "$bindir/initdb" -D "$PG_TEST_DIR/data" -U postgres -A trust --no-sync >"$PG_TEST_DIR/initdb.log" 2>&1 \
    || { cat "$PG_TEST_DIR/initdb.log" >&2; return 1; }
  pg_as openssl req -new -x509 -days 7 -nodes -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost" \
    -keyout "$PG_TEST_DIR/data/server.key" -out "$PG_TEST_DIR/data/server.crt" >/dev/null 2>&1 \
    || { echo "ci: openssl could not make a certificate" >&2; return 1; }
  cat >"$PG_TEST_DIR/data/pg_hba.conf" <<'HBA'
hostnossl all +seenty_tls 127.0.0.1/32 reject
host all +seenty_pw 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
local all all trust
HBA
  # Another process may take the port between the check and the bind: try a few.
  local attempt
  for attempt in 1 2 3 4 5; do
    PG_TEST_PORT="$(pg_free_port)" || return 1
    if pg_as "$bindir/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_TEST_PORT -c unix_socket_directories=$PG_TEST_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c ssl=on" \
      start >/dev/null; then
      break
    fi
    [ "$attempt" -lt 5 ] || { cat "$PG_TEST_DIR/server.log" >&2; return 1; }
  done
  pg_as "$bindir/psql" -h 127.0.0.1 -p "$PG_TEST_PORT" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE seenty_pw NOLOGIN" -c "CREATE ROLE seenty_tls NOLOGIN" >/dev/null
  export SEENTY_TEST_POSTGRES="postgres://postgres@127.0.0.1:$PG_TEST_PORT/postgres"
  cp "$PG_TEST_DIR/data/server.crt" "$PG_TEST_DIR/ca.crt"
  chmod 644 "$PG_TEST_DIR/ca.crt"
  export SEENTY_TEST_POSTGRES_CA="$PG_TEST_DIR/ca.crt"
  echo "ci: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_TEST_PORT ($PG_TEST_DIR)"
}

pg_stop() {
  [ -n "${PG_TEST_DIR:-}" ] || return 0
  if [ -f "$PG_TEST_DIR/data/postmaster.pid" ]; then
    pg_as "$PG_TEST_BINDIR/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_TEST_DIR"
  PG_TEST_DIR=""
}
