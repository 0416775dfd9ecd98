#!/usr/bin/env bash
# Makes sure Postgres and NATS (with JetStream) answer on 127.0.0.1:5432 and :4222 before the tests:
# starts them when installed but stopped, installs them from Debian's packages when missing.
set -euo pipefail

say () { echo "ensure-services: $*" >&2; }
port_open () { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port () { for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done; return 1; }

as_root () {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else say "cannot install without root: run 'apt-get install -y postgresql nats-server' as root"; exit 1
  fi
}

apt_install () {
  say "installing $* from Debian's packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres () {
  port_open 5432 && return 0
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
    local hba; hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n 1)
    # the test databases are throwaway: trust local TCP connections, as the CI machines do
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  local version; version=$(ls /etc/postgresql | sort -V | tail -n 1)
  say "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_port 5432 || { say "PostgreSQL did not come up on 127.0.0.1:5432"; exit 1; }
}

ensure_nats () {
  port_open 4222 && return 0
  command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || apt_install nats-server
  local bin; bin=$(command -v nats-server || echo /usr/sbin/nats-server)
  local store=/var/lib/nats-server
  [ -w /var/lib ] || store="${TMPDIR:-/tmp}/nats-server"
  mkdir -p "$store"
  say "starting nats-server with JetStream"
  nohup "$bin" -a 127.0.0.1 -p 4222 -js -sd "$store" >"${TMPDIR:-/tmp}/nats-server.log" 2>&1 &
  wait_port 4222 || { say "NATS did not come up on 127.0.0.1:4222"; exit 1; }
}

ensure_postgres
ensure_nats
