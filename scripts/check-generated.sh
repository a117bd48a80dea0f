#!/usr/bin/env bash
# Fails when gen/ is not what `make proto` would write from proto/.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npx buf generate --output "$tmp" >/dev/null
npx buf build -o "$tmp/gen/descriptor.binpb"
if ! diff -r gen "$tmp/gen" >/dev/null; then
  echo "gen/ is out of date with proto/: run 'make proto' and commit the result" >&2
  diff -r gen "$tmp/gen" | head -20 >&2
  exit 1
fi
echo "gen/ is up to date"
