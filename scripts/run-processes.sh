#!/usr/bin/env bash
# `make run-processes`: every service as its own process, talking over gRPC and NATS JetStream
# (TALLY_NATS_URL, default nats://127.0.0.1:4222) and MongoDB when TALLY_MONGO_URL is set (the
# embedded store, persisted under .data-processes/ or TALLY_DATA_DIR, otherwise). The way
# Kubernetes runs Tally, on one machine: the fake Hyper Billing API, the Hyper Billing plugin,
# identity, billing and the gateway. Ctrl-C stops them all.
#
# Processes start in dependency order, each once the one before answers, so a normal start logs
# no "dependency down" (a later outage still does); the last line printed is `ready: …`, once the
# gateway's /healthz answers 200. Ports (defaults in brackets) follow the services' variables:
# TALLY_GATEWAY_HTTP_PORT [8080], TALLY_GATEWAY_GRPC_PORT [50050], TALLY_IDENTITY_PORT [50051],
# TALLY_BILLING_PORT [50052], TALLY_FAKE_HYPERBILLING_PORT [8480], and for the Hyper Billing
# plugin TALLY_HYPERBILLING_PLUGIN_PORT [50062].
set -euo pipefail
cd "$(dirname "$0")/.."
export TALLY_NATS_URL=${TALLY_NATS_URL:-nats://127.0.0.1:4222}
data=${TALLY_DATA_DIR:-$PWD/.data-processes}
mkdir -p "$data"
secrets="$data/secrets.env"
if [ ! -f "$secrets" ]; then
  (
    umask 077
    {
      echo "TALLY_ROOT_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')"
      echo "TALLY_MASTER_KEYS=1:$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')"
      echo "TALLY_INTERNAL_TOKEN_SECRET=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')"
    } > "$secrets.tmp"
    mv "$secrets.tmp" "$secrets"
  )
fi
set -a; . "$secrets"; set +a
[ -n "${TALLY_MONGO_URL:-}" ] || export TALLY_DATA_DIR="$data"
export TALLY_LOG_LEVEL=${TALLY_LOG_LEVEL:-warn}

http_port=${TALLY_GATEWAY_HTTP_PORT:-8080}
grpc_port=${TALLY_GATEWAY_GRPC_PORT:-50050}
identity_port=${TALLY_IDENTITY_PORT:-50051}
billing_port=${TALLY_BILLING_PORT:-50052}
fake_port=${TALLY_FAKE_HYPERBILLING_PORT:-8480}
plugin_port=${TALLY_HYPERBILLING_PLUGIN_PORT:-50062}
credentials="$data/hyperbilling-credentials.json"
START_TIMEOUT=${TALLY_START_TIMEOUT_S:-60}

say() { echo "run-processes: $*" >&2; }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
healthz() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    IFS= read -r -t 5 status <&3 || exit 1
    [[ $status == *" 200 "* ]]
  ) 2>/dev/null
}

for port in "$http_port" "$grpc_port" "$identity_port" "$billing_port" "$fake_port" "$plugin_port"; do
  if answers "$port"; then say "port $port is in use (is Tally already running?)"; exit 1; fi
done

pids=()
stop_all() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null || true
  wait || true
}
trap 'stop_all' EXIT
trap 'exit 0' INT TERM
start() { "$@" & pids+=($!); }

# Waits until `check arg` succeeds; gives up when process pid exits or after START_TIMEOUT seconds.
await() {
  local what=$1 pid=$2 check=$3 arg=$4 deadline=$((SECONDS + START_TIMEOUT))
  until "$check" "$arg"; do
    if ! kill -0 "$pid" 2>/dev/null; then say "$what stopped before it answered on port $arg"; exit 1; fi
    if [ $SECONDS -ge $deadline ]; then say "$what did not answer on port $arg within ${START_TIMEOUT}s"; exit 1; fi
    sleep 0.2
  done
}

start env TALLY_PLUGIN_PORT="$plugin_port" TALLY_HYPERBILLING_ENDPOINT="http://127.0.0.1:$fake_port" node dist/plugins/hyperbilling/main.js
plugin_pid=$!
start env TALLY_IDENTITY_PORT="$identity_port" node dist/services/identity/main.js
await identity $! answers "$identity_port"
# After identity: the fake asks it which issued credentials some domain registered, and writes
# the others to the credentials file before it listens.
start env TALLY_FAKE_HYPERBILLING_PORT="$fake_port" TALLY_FAKE_HYPERBILLING_STATE_FILE="$data/hyperbilling-issued.json" \
  TALLY_FAKE_HYPERBILLING_CREDENTIALS_FILE="$credentials" TALLY_IDENTITY_ENDPOINT="127.0.0.1:$identity_port" \
  node dist/plugins/fake-hyperbilling/main.js
fake_pid=$!
start env TALLY_BILLING_PORT="$billing_port" TALLY_IDENTITY_ENDPOINT="127.0.0.1:$identity_port" TALLY_HYPERBILLING_PLUGIN_ENDPOINT="127.0.0.1:$plugin_port" \
  node dist/services/billing/main.js
await billing $! answers "$billing_port"
start env TALLY_GATEWAY_HTTP_PORT="$http_port" TALLY_GATEWAY_GRPC_PORT="$grpc_port" \
  TALLY_IDENTITY_ENDPOINT="127.0.0.1:$identity_port" TALLY_BILLING_ENDPOINT="127.0.0.1:$billing_port" node dist/services/gateway/main.js
await gateway $! healthz "$http_port"
await "the Hyper Billing plugin" "$plugin_pid" answers "$plugin_port"
await "the fake Hyper Billing API" "$fake_pid" answers "$fake_port"

echo "api: http://127.0.0.1:$http_port/ (gateway HTTP/JSON and console); grpc: 127.0.0.1:$grpc_port"
echo "root key: TALLY_ROOT_KEY in $secrets (set -a; . $secrets; set +a; npx tally domain create <name> --key \"\$TALLY_ROOT_KEY\")"
echo "hyperbilling credentials: $credentials (issued, not yet registered; every domain gets a Hyper Billing data source)"
echo "ready: identity, billing and the gateway answer (gateway /healthz 200). Ctrl-C stops them all."

# Until Ctrl-C (the INT trap exits 0) or until one process ends: then the others are stopped too,
# and its exit status is the script's (0 when it stopped cleanly, e.g. on a signal of its own).
set +e
wait -n "${pids[@]}"
code=$?
say "a process stopped (exit $code); stopping the others"
exit "$code"
