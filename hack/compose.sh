#!/usr/bin/env bash
# Wrapper around `docker compose` or the standalone `docker-compose`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f deploy/docker-compose.yaml ]; then
  echo "deploy/docker-compose.yaml does not exist yet (issue 8: compose cluster); use 'make run' for local processes" >&2
  exit 2
fi
if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
case "${1:-}" in
  up) exec hack/up.sh ;;
  down) exec "${COMPOSE[@]}" -f deploy/docker-compose.yaml down ${DOWN_FLAGS:-} ;;
  e2e) exec hack/e2e.sh ;;
  *) exec "${COMPOSE[@]}" -f deploy/docker-compose.yaml "$@" ;;
esac
