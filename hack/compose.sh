#!/usr/bin/env bash
# Wrapper around `docker compose` or the standalone `docker-compose`, with the
# project name tinykube and deploy/docker-compose.yaml.
#   hack/compose.sh up|down|e2e|<any compose command>
# down removes containers and the network; VOLUMES=1 (or DOWN_FLAGS=-v) also
# removes the named volumes (etcd data, Prometheus data).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f deploy/docker-compose.yaml ]; then
  echo "deploy/docker-compose.yaml is missing; use 'make run' for local processes" >&2
  exit 2
fi
if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null; then
  COMPOSE=(docker-compose)
else
  echo "neither 'docker compose' nor 'docker-compose' answers; install one (or use 'make run')" >&2
  exit 2
fi
COMPOSE+=(-p "${COMPOSE_PROJECT_NAME:-tinykube}" -f deploy/docker-compose.yaml)
export COMPOSE_CMD="${COMPOSE[*]}"
# Where `make up` puts the cluster's certificates and tokens (the compose file
# mounts them from there), and the host's admin kubeconfig.
project=${COMPOSE_PROJECT_NAME:-tinykube}
export TINYKUBE_SECRETS=${TINYKUBE_SECRETS:-$PWD/.local/secrets/$project}
if [ "$project" = tinykube ]; then
  export ADMIN_KUBECONFIG=${ADMIN_KUBECONFIG:-$PWD/.local/admin.kubeconfig}
else
  export ADMIN_KUBECONFIG=${ADMIN_KUBECONFIG:-$TINYKUBE_SECRETS/admin.kubeconfig}
fi

case "${1:-}" in
  up) exec hack/up.sh ;;
  down)
    read -r -a flags <<<"--remove-orphans ${DOWN_FLAGS:-}"
    [ -n "${VOLUMES:-}" ] && [ "${VOLUMES}" != 0 ] && flags+=(-v)
    # Include every profile so that optional services are removed too.
    exec "${COMPOSE[@]}" --profile sim --profile grafana down "${flags[@]}"
    ;;
  e2e) exec hack/e2e.sh ;;
  --print-cmd) echo "${COMPOSE[*]}" ;;
  *) exec "${COMPOSE[@]}" "$@" ;;
esac
