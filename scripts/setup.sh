#!/usr/bin/env bash
# Prepares a machine to build and test Passa:
#   1. a Rust toolchain,
#   2. PostgreSQL reachable at DATABASE_URL, with its role (installed and started here when the
#      server is local and missing),
#   3. the toolchain that builds the contracts to wasm (docs: /work/shared/TOOLCHAIN.md), and
#      pgBackRest for backups,
#   4. a build of the whole workspace (and the contracts' wasm, when that script exists),
#   5. the database created and migrated.
#
# Safe to run again and again: each step checks first and only does what is missing, so on a
# ready machine it costs an incremental build. Works as root without sudo and without systemd
# (containers, CI), and on this kind of Debian/Ubuntu machine.
#
# Environment:
#   DATABASE_URL      default postgres://passa:passa@127.0.0.1:5432/passa
#   PASSA_VERBOSE=1   show cargo's progress output

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://passa:passa@127.0.0.1:5432/passa}"

step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() {
  printf 'setup: %s\n' "$*" >&2
  exit 1
}

# The URL with its password replaced by ****, for printing.
masked_url() { sed -E 's#^([a-z]+://[^:/@]*:)[^@]*@#\1****@#' <<<"$DATABASE_URL"; }

# Runs a command as root: directly when we are root, else through sudo if it needs no
# password (CI has no terminal to type one into).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    return 1
  fi
}

# Runs a command as the `postgres` OS user, the superuser of a Debian PostgreSQL cluster that
# can always log in through the local socket (peer or trust authentication).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n -u postgres "$@"
  else
    return 1
  fi
}

# apt-get install, quietly; `apt-get update` runs once per setup at most. The output is shown
# only when something fails.
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  local log
  log=$(mktemp)
  if [ "$APT_UPDATED" = 0 ]; then
    if ! as_root apt-get update >"$log" 2>&1; then
      cat "$log" >&2
      rm -f "$log"
      return 1
    fi
    APT_UPDATED=1
  fi
  note "apt-get install $*"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

# ---------------------------------------------------------------------------------------------
step "Rust toolchain"
# A rustup install that this shell has not picked up yet (no `source ~/.cargo/env`).
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
if ! command -v cargo >/dev/null 2>&1; then
  die "no cargo on PATH. Install Rust with rustup (https://rustup.rs):
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y
    . \"\$HOME/.cargo/env\"
then run scripts/setup.sh again."
fi
note "$(cargo --version)"

# ---------------------------------------------------------------------------------------------
step "PostgreSQL at $(masked_url)"
# Split the URL: postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-escapes are not decoded;
# keep the local development URL simple).
url_re='^postgres(ql)?://(([^:@/]*)(:([^@]*))?@)?([^:/?]*)(:([0-9]+))?(/([^?]*))?'
[[ "$DATABASE_URL" =~ $url_re ]] || die "DATABASE_URL is not a postgres:// URL: $(masked_url)"
PG_USER="${BASH_REMATCH[3]:-$(id -un)}"
PG_PASSWORD="${BASH_REMATCH[5]:-}"
PG_HOST="${BASH_REMATCH[6]:-127.0.0.1}"
PG_PORT="${BASH_REMATCH[8]:-5432}"
PG_DB="${BASH_REMATCH[10]:-$PG_USER}"

case "$PG_HOST" in
  127.0.0.1 | localhost | ::1 | '[::1]') PG_LOCAL=1 ;;
  *) PG_LOCAL=0 ;;
esac

# Is something accepting PostgreSQL connections at HOST:PORT?
server_up() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3
  else
    # No client tools yet: settle for an open TCP port.
    (exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") 2>/dev/null
  fi
}

# Can the URL's user log in (to the maintenance database, as `passa db create` will)?
can_login() {
  command -v psql >/dev/null 2>&1 || return 1
  PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -q -w -h "$PG_HOST" -p "$PG_PORT" \
    -U "$PG_USER" -d postgres -tAc 'SELECT 1' >/dev/null 2>&1
}

# Installs PostgreSQL if needed and starts (or creates) the local cluster on PG_PORT, without
# systemd: pg_ctlcluster --skip-systemctl-redirect talks to the server directly.
start_local_server() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 ||
    ! command -v psql >/dev/null 2>&1; then
    apt_install postgresql postgresql-client ||
      die "PostgreSQL is not installed and could not be installed here (no apt-get, or not root).
    Install PostgreSQL, start it on port $PG_PORT, and run scripts/setup.sh again."
  fi

  local version name port status
  # `pg_lsclusters -h` prints: version cluster port status owner datadir logfile
  read -r version name port status _ < <(pg_lsclusters -h | awk -v p="$PG_PORT" '$3 == p' | head -n 1) || true
  if [ -z "${version:-}" ]; then
    if pg_lsclusters -h | grep -q .; then
      die "PostgreSQL clusters exist but none on port $PG_PORT (see pg_lsclusters);
    start one there, or point DATABASE_URL at the right port."
    fi
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    name=main
    note "creating cluster $version/$name on port $PG_PORT"
    as_root pg_createcluster --port "$PG_PORT" "$version" "$name" >/dev/null ||
      die "could not create a PostgreSQL cluster (needs root)"
  fi
  note "starting cluster $version/$name"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start ||
    die "could not start PostgreSQL cluster $version/$name (see /var/log/postgresql/)"

  local i
  for i in $(seq 1 30); do
    server_up && return 0
    sleep 1
  done
  die "PostgreSQL cluster $version/$name started but does not answer on port $PG_PORT"
}

if server_up; then
  note "server is up"
elif [ "$PG_LOCAL" = 1 ]; then
  start_local_server
else
  die "PostgreSQL at $PG_HOST:$PG_PORT does not answer. Start it, or set DATABASE_URL."
fi

# The role: create it (or give it back its password and rights) when the URL's user cannot log
# in. This works with trust authentication (as on the project's dev machines) and with
# password (scram) authentication (a fresh Debian install), since the password is set either way.
if can_login; then
  note "role \"$PG_USER\" can log in"
elif [ "$PG_LOCAL" = 1 ]; then
  note "setting up role \"$PG_USER\" (LOGIN CREATEDB, password from DATABASE_URL)"
  # psql quotes the values (:'user' as a literal, %I/%L in format()), and \gexec runs the
  # statement the SELECT produced. A superuser's password is never touched (NULL is skipped).
  role_sql=$(
    cat <<'SQL'
SELECT CASE
  WHEN NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user')
    THEN format('CREATE ROLE %I WITH LOGIN CREATEDB PASSWORD %L', :'user', :'password')
  WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = :'user' AND NOT rolsuper)
    THEN format('ALTER ROLE %I WITH LOGIN CREATEDB PASSWORD %L', :'user', :'password')
END
\gexec
SQL
  )
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres \
    -v user="$PG_USER" -v password="$PG_PASSWORD" <<<"$role_sql" >/dev/null ||
    die "could not create role \"$PG_USER\" as the postgres OS user (needs root or passwordless sudo)"
  can_login || die "role \"$PG_USER\" exists but cannot log in to $PG_HOST:$PG_PORT; check pg_hba.conf"
else
  die "cannot log in to $(masked_url); check the user and password in DATABASE_URL"
fi

# ---------------------------------------------------------------------------------------------
step "Query insight (pg_stat_statements, auto_explain)"
# `passa db health` reads pg_stat_statements; auto_explain logs the plan of any statement slower
# than 500 ms. Both must be preloaded, which takes a restart once. The extension goes into
# template1 too, so that every database created later (the tests' own) has it.
insight_sql() { as_postgres psql -X -q -tA -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@"; }
if [ "$PG_LOCAL" = 1 ] && insight_sql -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
  preload=$(insight_sql -d postgres -c 'SHOW shared_preload_libraries')
  if [[ "$preload" != *pg_stat_statements* || "$preload" != *auto_explain* ]]; then
    # A list setting: each library its own quoted item ('a', 'b'), not one string 'a,b'.
    wanted=$(printf '%s\n' "${preload//,/$'\n'}" pg_stat_statements auto_explain | sed 's/^ *//; s/ *$//' |
      grep -v '^$' | sort -u | sed "s/.*/'&'/" | paste -sd, -)
    note "shared_preload_libraries = $wanted (restarting PostgreSQL once)"
    insight_sql -d postgres -c "ALTER SYSTEM SET shared_preload_libraries = $wanted" >/dev/null
    read -r version name _ < <(pg_lsclusters -h | awk -v p="$PG_PORT" '$3 == p' | head -n 1) || true
    [ -n "${version:-}" ] || die "no local cluster on port $PG_PORT to restart (pg_lsclusters)"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" restart ||
      die "could not restart PostgreSQL cluster $version/$name"
    for _ in $(seq 1 30); do server_up && break; sleep 1; done
  fi
  insight_sql -d postgres >/dev/null <<'SQL'
ALTER SYSTEM SET pg_stat_statements.track = 'top';
ALTER SYSTEM SET pg_stat_statements.max = 5000;
ALTER SYSTEM SET auto_explain.log_min_duration = '500ms';
ALTER SYSTEM SET auto_explain.log_format = 'json';
ALTER SYSTEM SET log_min_duration_statement = '1s';
SELECT pg_reload_conf();
SQL
  insight_sql -d template1 -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' >/dev/null
  # Every session's query and state, for `passa db health` (pg_monitor reads, changes nothing).
  insight_sql -d postgres -c "GRANT pg_monitor TO \"$PG_USER\"" >/dev/null 2>&1 || true
  note "pg_stat_statements and auto_explain on"
else
  note "skipped: not a local server this script administers (preload pg_stat_statements and auto_explain there)"
fi

# ---------------------------------------------------------------------------------------------
step "wasm toolchain for the contracts"
# Preferred, when present: a rustup toolchain with the wasm32v1-none target (the stellar CLI
# builds with it too). Otherwise Debian's Rust (which ships the standard library's sources, so
# `core` and `alloc` can be built for wasm32v1-none) with LLVM's wasm linker and binaryen's
# wasm-opt. A stellar CLI alone is not enough: it compiles with rustup's toolchain, and rustup
# cannot always download the target (it cannot here).
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32v1-none; then
  note "rustup target wasm32v1-none"
  command -v stellar >/dev/null 2>&1 && note "stellar CLI: $(command -v stellar)"
else
  missing=()
  [ -x /usr/lib/llvm-22/bin/wasm-ld ] || missing+=(lld-22)
  [ -x /usr/bin/rustc ] || missing+=(rustc-web)
  [ -x /usr/bin/cargo ] || missing+=(cargo-web)
  [ -d /usr/lib/rustlib/src/rust/library/core ] || missing+=(rust-web-src)
  command -v wasm-opt >/dev/null 2>&1 || missing+=(binaryen)
  if [ "${#missing[@]}" = 0 ]; then
    note "Debian rustc-web + lld-22 + binaryen"
  elif apt_install rustc-web cargo-web rust-web-src lld-22 binaryen; then
    note "installed Debian rustc-web + lld-22 + binaryen"
  else
    # Not fatal: the native build and tests do not need it; only the wasm tests do.
    note "WARNING: cannot install the wasm toolchain here (missing: ${missing[*]})."
    note "Install either a rustup toolchain with wasm32v1-none, or on"
    note "Debian/Ubuntu: apt-get install rustc-web cargo-web rust-web-src lld-22 binaryen"
  fi
fi

# ---------------------------------------------------------------------------------------------
step "pgBackRest (backups, the restore drill)"
# `passa db backup` drives pgBackRest, and the drill starts scratch clusters with PostgreSQL's
# own initdb, pg_ctl and pg_dump (and checks them with amcheck, part of Debian's server).
if command -v pgbackrest >/dev/null 2>&1; then
  note "$(pgbackrest version)"
elif apt_install pgbackrest; then
  note "installed $(pgbackrest version)"
else
  die "pgBackRest is not installed and could not be installed here; on Debian/Ubuntu: apt-get install pgbackrest"
fi

# ---------------------------------------------------------------------------------------------
step "PgBouncer (the backend's pool; deploy/pgbouncer)"
# The topology tests run the shipped configuration in transaction mode and check that
# `passa sync` refuses to run through it.
if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then
  note "$( (command -v pgbouncer || echo /usr/sbin/pgbouncer) | head -n1)"
elif apt_install pgbouncer; then
  note "installed pgbouncer"
  # Debian starts a pgbouncer service on 6432 with its own configuration; ours runs per test.
  as_root service pgbouncer stop >/dev/null 2>&1 || true
else
  die "PgBouncer is not installed and could not be installed here; on Debian/Ubuntu: apt-get install pgbouncer"
fi

# ---------------------------------------------------------------------------------------------
step "Build"
cargo_quiet=(--quiet)
[ "${PASSA_VERBOSE:-0}" = 1 ] && cargo_quiet=()
cargo build "${cargo_quiet[@]}" --workspace --all-targets --locked
# The contracts' wasm files (target/wasm/*.wasm), which the contract wasm tests load.
if [ -x scripts/build-contracts.sh ] && compgen -G 'contracts/*/Cargo.toml' >/dev/null; then
  scripts/build-contracts.sh
fi

# ---------------------------------------------------------------------------------------------
step "Database $PG_DB"
cargo run "${cargo_quiet[@]}" --locked -p passa -- db create
cargo run "${cargo_quiet[@]}" --locked -p passa -- db migrate
if [ "$PG_LOCAL" = 1 ]; then
  insight_sql -d "$PG_DB" -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' >/dev/null 2>&1 || true
fi
