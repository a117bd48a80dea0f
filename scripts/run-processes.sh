#!/usr/bin/env bash
# `make run-processes`: every service as its own process, talking over gRPC and NATS JetStream
# (TALLY_NATS_URL, default nats://127.0.0.1:4222) and MongoDB when TALLY_MONGO_URL is set (the
# embedded store, persisted under .data-processes/, otherwise). The way Kubernetes runs Tally,
# on one machine. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
export TALLY_NATS_URL=${TALLY_NATS_URL:-nats://127.0.0.1:4222}
data=${TALLY_DATA_DIR:-$PWD/.data-processes}
mkdir -p "$data"
secrets="$data/secrets.env"
if [ ! -f "$secrets" ]; then
  umask 077
  {
    echo "TALLY_ROOT_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')"
    echo "TALLY_MASTER_KEYS=1:$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')"
    echo "TALLY_INTERNAL_TOKEN_SECRET=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')"
  } > "$secrets"
fi
set -a; . "$secrets"; set +a
[ -n "${TALLY_MONGO_URL:-}" ] || export TALLY_DATA_DIR="$data"
export TALLY_LOG_LEVEL=${TALLY_LOG_LEVEL:-warn}

pids=()
start() { "$@" & pids+=($!); }
trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT

start env TALLY_FAKE_HYPERBILLING_CREDENTIALS_FILE="$data/hyperbilling-credentials.json" node dist/plugins/fake-hyperbilling/main.js
start env TALLY_PLUGIN_PORT=50062 TALLY_HYPERBILLING_ENDPOINT=http://127.0.0.1:8480 node dist/plugins/hyperbilling/main.js
start env TALLY_PLUGIN_PORT=50071 node dist/plugins/demo/main.js
start node dist/services/identity/main.js
start env TALLY_HYPERBILLING_PLUGIN_ENDPOINT=127.0.0.1:50062 node dist/services/billing/main.js
start env TALLY_GATEWAY_HTTP_PORT=8080 node dist/services/gateway/main.js

echo "api: http://127.0.0.1:8080/ (gateway HTTP/JSON); grpc: 127.0.0.1:50050"
echo "root key: in $secrets (create a domain: npx tally domain create <name> --key \$TALLY_ROOT_KEY)"
echo "hyperbilling credentials: $data/hyperbilling-credentials.json"
wait -n "${pids[@]}"
