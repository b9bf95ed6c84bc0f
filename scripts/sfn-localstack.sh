#!/usr/bin/env bash
# npm run test:sfn-localstack [-- TestCase ...] [-- --broken-asl]
# Runs the MockConfigFile suite (npm run test:sfn-local) against LocalStack's Step Functions, a second
# implementation that reads SFN_MOCK_CONFIG as Step Functions Local does. LocalStack runs as a Python process on
# this host (no Docker), from a virtual environment pinned by .ci/requirements-localstack.txt and kept outside the
# checkout. It listens on a free 127.0.0.1 port, keeps its files in a temp folder, and is stopped when the suite
# ends (or after LOCALSTACK_MAX_SECONDS, so it never outlives a hung run).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
TOOLS_DIR="${SAM_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/image-recognition-backend}"
VENV="$TOOLS_DIR/localstack-venv"
MAX_SECONDS="${LOCALSTACK_MAX_SECONDS:-900}"

if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p "$TOOLS_DIR"
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r .ci/requirements-localstack.txt

WORK=$(mktemp -d)
PID=""
stop() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill "$PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap stop EXIT

PORT=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ENDPOINT="http://127.0.0.1:$PORT"

# OVERRIDE_IN_DOCKER=0 + FILESYSTEM_ROOT: host mode, every file under $WORK (not /var/lib/localstack).
# DNS_ADDRESS=0, DISABLE_EVENTS=1, SKIP_SSL_CERT_DOWNLOAD=1: no DNS server, no analytics, no certificate download.
# EAGER_SERVICE_LOADING=1: Step Functions loads before "Ready.", so a broken install fails here, not mid-suite.
env OVERRIDE_IN_DOCKER=0 FILESYSTEM_ROOT="$WORK/filesystem" \
  GATEWAY_LISTEN="127.0.0.1:$PORT" LOCALSTACK_HOST="127.0.0.1:$PORT" \
  SERVICES=stepfunctions,events EAGER_SERVICE_LOADING=1 \
  SFN_MOCK_CONFIG="$ROOT/statemachine/test/MockConfigFile.json" \
  DNS_ADDRESS=0 DISABLE_EVENTS=1 SKIP_SSL_CERT_DOWNLOAD=1 \
  timeout "$MAX_SECONDS" "$VENV/bin/python" -m localstack.runtime.main >"$WORK/localstack.log" 2>&1 &
PID=$!

for _ in $(seq 120); do
  if grep -q '^Ready\.' "$WORK/localstack.log"; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "LocalStack exited before it was ready:"
    tail -40 "$WORK/localstack.log"
    exit 1
  fi
  sleep 0.5
done
if ! grep -q '^Ready\.' "$WORK/localstack.log"; then
  echo "LocalStack was not ready after 60 s:"
  tail -40 "$WORK/localstack.log"
  exit 1
fi
echo "LocalStack $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("localstack-core"))') on $ENDPOINT (SFN_MOCK_CONFIG=statemachine/test/MockConfigFile.json)"

BROKEN_ASL=false
CASES=()
for arg in "$@"; do
  if [ "$arg" = --broken-asl ]; then BROKEN_ASL=true; else CASES+=("$arg"); fi
done

rc=0
SFN_LOCAL_ENDPOINT="$ENDPOINT" npm run -s test:sfn-local -- "${CASES[@]}" || rc=$?
if $BROKEN_ASL; then
  # The mocha tests that run the suite on mutated copies of the ASL (a Catch removed, a wrong Next, a Retry
  # dropped or widened) and expect it to fail, here against LocalStack.
  SFN_LOCAL_ENDPOINT="$ENDPOINT" npx --no-install mocha --timeout 300000 -g 'on a broken ASL' \
    test/statemachine/sfn-local-suite.test.ts || rc=$?
fi
if ((rc != 0)); then
  echo "--- LocalStack log (last 60 lines) ---"
  tail -60 "$WORK/localstack.log"
fi
exit "$rc"
