#!/usr/bin/env bash
# Chaton installer for Debian and Ubuntu. Safe to run again: it only adds what is missing.
#
#   ./install.sh               virtual environment, Chaton, instance/ with the demo content
#   ./install.sh --dev         the same, plus the test tools, Debian's chromium for browser tests,
#                              Debian's nginx (the cache in front, on loopback ports) and
#                              bovine-herd (an independent ActivityPub server) in .venv-peer
#   ./install.sh --postgresql  add the PostgreSQL driver; with --database-url=postgresql://...
#                              (or CHATON_DATABASE_URL) the instance and the demo go there,
#                              without it nothing is created until you give one;
#                              combine with --dev to run the tests against PostgreSQL too
set -euo pipefail
cd "$(dirname "$0")"

DEV=0
POSTGRESQL=0
DATABASE_URL=${CHATON_DATABASE_URL:-}
EXTRAS=()
for arg in "$@"; do
  case "$arg" in
    --dev) DEV=1; EXTRAS+=(dev) ;;
    --postgresql) POSTGRESQL=1; EXTRAS+=(postgresql) ;;
    --database-url=*) DATABASE_URL=${arg#--database-url=} ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (try --help)" >&2; exit 2 ;;
  esac
done

case "$DATABASE_URL" in
  postgresql://*|postgres://*) [ "$POSTGRESQL" = 1 ] || { POSTGRESQL=1; EXTRAS+=(postgresql); } ;;
esac

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || { echo "please install: $*" >&2; exit 1; }
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

PYTHON=${PYTHON:-python3}
if ! command -v "$PYTHON" >/dev/null; then
  say "installing Python 3"; apt_install python3 python3-venv
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Chaton needs Python 3.11 or newer ($("$PYTHON" --version) found)." >&2; exit 1
fi
if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
  say "installing python3-venv"; apt_install python3-venv
fi

if [ ! -x .venv/bin/python ]; then
  say "creating the virtual environment in .venv"
  "$PYTHON" -m venv .venv
fi

if [ ${#EXTRAS[@]} -gt 0 ]; then
  say "installing Chaton with: ${EXTRAS[*]}"
  .venv/bin/pip install --quiet --disable-pip-version-check -e ".[$(IFS=,; echo "${EXTRAS[*]}")]"
else
  say "installing Chaton"
  .venv/bin/pip install --quiet --disable-pip-version-check -e .
fi
if [ "$DEV" = 1 ] && ! command -v chromium >/dev/null && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium (browser tests)"; apt_install chromium
fi
if [ "$DEV" = 1 ] && [ ! -x /usr/sbin/nginx ]; then
  # the front server of the documented deployment, run by the tests on loopback ports only;
  # policy-rc.d keeps the package from starting its own server on port 80
  say "installing Debian's nginx (tests of the cache in front)"
  POLICY=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    POLICY=1
  fi
  apt_install nginx-light || { [ "$POLICY" = 1 ] && as_root rm -f /usr/sbin/policy-rc.d; exit 1; }
  if [ "$POLICY" = 1 ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
fi
if [ "$DEV" = 1 ] && ! .venv-peer/bin/python -c 'import bovine_herd' 2>/dev/null; then
  # an ActivityPub server written by others, for the federation tests: its own environment
  say "installing bovine-herd in .venv-peer (the federation tests' independent peer)"
  "$PYTHON" -m venv .venv-peer
  .venv-peer/bin/pip install --quiet --disable-pip-version-check -r tests/peer/requirements.txt
fi

say "compiling the interface translations"
.venv/bin/pybabel compile -d chaton/translations -D messages >/dev/null

CONFIGURED_URL=$(sed -n 's/^database_url *= *"\(.*\)"/\1/p' instance/config.toml 2>/dev/null || true)
if [ "$POSTGRESQL" = 1 ] && [ -z "$DATABASE_URL" ] && [ -z "$CONFIGURED_URL" ]; then
  # never make the instance (and the demo's account) in a SQLite file nobody will use
  cat <<'TXT'

The PostgreSQL driver is installed, but no database was named: nothing else was created.
Create the database (docs/deploy.md, "PostgreSQL"), then run again:

    ./install.sh --postgresql --database-url='postgresql://chaton:PASSWORD@HOST/chaton'

(the password URL-encoded: %40 for @); or, to keep the demo out of it:

    .venv/bin/chaton init --database-url='postgresql://chaton:PASSWORD@HOST/chaton'
TXT
  exit 0
fi

say "preparing the instance folder"
if [ -n "$DATABASE_URL" ]; then
  CHATON_DATABASE_URL=$DATABASE_URL .venv/bin/chaton init --database-url="$DATABASE_URL"
else
  .venv/bin/chaton init
fi
if [ -z "${CHATON_CONTENT_DIR:-}" ]; then
  .venv/bin/chaton demo
fi

cat <<'TXT'

Chaton is installed. Start it with:

    .venv/bin/chaton serve

then open http://127.0.0.1:8000 . To run the demo associations, sign in at
http://127.0.0.1:8000/account/login with the account written in instance/demo-login.txt.
Mail is written to instance/outbox/ until you configure SMTP (see docs/configuration.md).
TXT
