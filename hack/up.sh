#!/usr/bin/env bash
# `make up`: build the images (nothing is pulled), start the compose cluster
# and wait until it is healthy, then print where everything is.
#
# Certificates and tokens are made here, never committed (deploy/gen-secrets.sh,
# into $TINYKUBE_SECRETS, which hack/compose.sh sets to .local/secrets/<project>),
# and the admin kubeconfig for the host is written to $ADMIN_KUBECONFIG
# (.local/admin.kubeconfig for the default project).
#
# Environment: SKIP_BUILD=1 reuses the images; WAIT=seconds (default 240);
# NODES=number of nodes that must be Ready (default 3, 0 skips the check);
# COMPOSE_PROFILES=sim,grafana adds optional services; APISERVER_PORT,
# PROMETHEUS_PORT change the published ports.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${COMPOSE_CMD:-}" ] || { echo "run through hack/compose.sh up (make up)" >&2; exit 2; }
read -r -a COMPOSE <<<"$COMPOSE_CMD"
WAIT=${WAIT:-240}
NODES=${NODES:-3}
API=https://localhost:${APISERVER_PORT:-8080}
SECRETS=${TINYKUBE_SECRETS:?run through hack/compose.sh up (make up)}
ADMIN=${ADMIN_KUBECONFIG:?run through hack/compose.sh up (make up)}
CA=$SECRETS/pki/ca.crt
PROM=http://localhost:${PROMETHEUS_PORT:-9090}

step() { printf '\n==> %s\n' "$*"; }

# health prints "service state" for every container of the project, where
# state is the health status, or the run state for a container without one.
health() {
  local ids
  ids=$("${COMPOSE[@]}" ps -q 2>/dev/null) || return 0
  [ -n "$ids" ] || return 0
  # shellcheck disable=SC2086
  docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}} {{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' $ids | sort
}

# ready_nodes counts nodes whose Ready condition is True (as admin).
ready_nodes() {
  curl -fsS --max-time 5 --cacert "$CA" -H "Authorization: Bearer $(cat "$SECRETS/auth/admin.token")" \
    "$API/api/v1/nodes" 2>/dev/null | grep -o '"type":"Ready","status":"True"' | wc -l
}

wait_for() { # description seconds command...
  local what=$1 secs=$2 deadline
  shift 2
  deadline=$((SECONDS + secs))
  until "$@"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "up: timed out after ${secs}s waiting for $what" >&2
      return 1
    fi
    sleep 2
  done
}

# A container without a health check (Grafana) counts once it runs.
all_healthy() { ! health | grep -qvE ' (healthy|running)$'; }
apiserver_ready() { curl -fsS --max-time 3 --cacert "$CA" "$API/readyz" >/dev/null 2>&1; }
nodes_ready() { [ "$(ready_nodes)" -ge "$NODES" ]; }

report_unhealthy() {
  echo "containers that are not healthy:" >&2
  health | grep -vE ' (healthy|running)$' >&2 || true
  echo "see 'make logs' or '${COMPOSE[*]} logs <service>'" >&2
}

main() {
  if [ "${SKIP_BUILD:-}" != 1 ]; then
    step "building static binaries and images (FROM scratch, no registry pull)"
    deploy/build-images.sh
  fi
  step "certificates and tokens in $SECRETS (kept if there), admin kubeconfig $ADMIN"
  # NODES here is a count; gen-secrets.sh reads NODES as the kubelets' names.
  env -u NODES deploy/gen-secrets.sh "$SECRETS" https://apiserver:8080 /pki/ca.crt "$API" "$ADMIN"
  step "starting the cluster: ${COMPOSE[*]} up -d"
  "${COMPOSE[@]}" up -d --remove-orphans
  step "waiting for the apiserver at $API/readyz"
  wait_for "the apiserver" "$WAIT" apiserver_ready || { report_unhealthy; exit 1; }
  step "applying the addons in deploy/addons (the default StorageClass)"
  bin/ctl --kubeconfig "$ADMIN" apply -f deploy/addons/ || echo "up: applying deploy/addons failed" >&2
  if [ "$NODES" -gt 0 ]; then
    step "waiting for $NODES nodes Ready"
    wait_for "$NODES Ready nodes" "$WAIT" nodes_ready || { report_unhealthy; exit 1; }
  fi
  step "waiting for every container's health check"
  wait_for "healthy containers" "$WAIT" all_healthy || { report_unhealthy; exit 1; }
  health | sed 's/^/    /'
  cat <<EOF

tinykube is up: ${APISERVERS:-2} apiservers behind HAProxy, TLS, bearer tokens, RBAC.
  apiserver      $API (the load balancer)
  Prometheus     $PROM            (targets: $PROM/targets, alerts: $PROM/alerts)
  dashboard      $PROM/consoles/tinykube.html
  Grafana        http://localhost:${GRAFANA_PORT:-3000}  (only with COMPOSE_PROFILES=grafana)
  admin          export KUBECONFIG=$ADMIN
  ctl            bin/ctl get nodes                (with KUBECONFIG set as above)
  kubectl        kubectl get nodes                (likewise)
  curl           curl --cacert $CA -H "Authorization: Bearer \$(cat $SECRETS/auth/admin.token)" $API/api/v1/nodes
  logs / state   make logs, make ps      stop: make down (VOLUMES=1 also drops etcd data)

export KUBECONFIG=$ADMIN
EOF
}

main "$@"
