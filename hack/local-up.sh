#!/usr/bin/env bash
# `make run`: the compose cluster's shape as local processes, for a machine
# without Docker: the apiserver on its embedded etcd (and, with
# --apiservers=2 or APISERVERS=2, a second apiserver on that etcd, one port
# up; the components stay on the first, there is no balancer), a scheduler, a
# controller-manager and three `process` kubelets (node-1..3) on loopback
# ports. Logs go to .local/run/logs/<daemon>.log; Ctrl-C stops everything,
# including the pods' processes (KEEP_PODS=1 leaves them for the kubelets to
# adopt on the next run).
#
# Security as in the compose cluster: certificates and tokens are made at
# start (deploy/gen-secrets.sh, into $RUN_DIR/secrets, kept across runs,
# never committed); the apiservers serve HTTPS with --token-auth-file and
# RBAC; each daemon has its own kubeconfig; the admin kubeconfig is written
# to .local/admin.kubeconfig.
#
# Flags: --apiservers=N (1 or 2; default $APISERVERS, else 1).
# Environment: APISERVER_PORT (8080), BIND (127.0.0.1), RUN_DIR (.local/run),
# BIN (bin), CLEAN=1 starts from an empty etcd, WAIT seconds (120).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
RUN_DIR=${RUN_DIR:-.local/run}
BIND=${BIND:-127.0.0.1}
PORT=${APISERVER_PORT:-8080}
API=https://$BIND:$PORT
LOGS=$RUN_DIR/logs
WAIT=${WAIT:-120}
NODES=(node-1 node-2 node-3)
APISERVERS=${APISERVERS:-1}
for arg in "$@"; do
  case "$arg" in
    --apiservers=*) APISERVERS=${arg#--apiservers=} ;;
    *) echo "local-up: unknown argument $arg (want --apiservers=1|2)" >&2; exit 2 ;;
  esac
done
case "$APISERVERS" in 1 | 2) ;; *) echo "local-up: --apiservers=$APISERVERS: want 1 or 2" >&2; exit 2 ;; esac
API2=https://$BIND:$((PORT + 1))
mkdir -p "$RUN_DIR"
SECRETS=$(cd "$RUN_DIR" && pwd)/secrets
CA=$SECRETS/pki/ca.crt
ADMIN=${ADMIN_KUBECONFIG:-$PWD/.local/admin.kubeconfig}
KUBECONFIGS=$SECRETS/auth

declare -A PIDS=()    # daemon name -> pid
declare -A REPORTED=() # daemons whose exit was already reported

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }

for b in apiserver scheduler controller-manager kubelet; do
  [ -x "$BIN/$b" ] || { echo "$BIN/$b is missing: run 'make build' (make run does)" >&2; exit 2; }
done
[ "${CLEAN:-}" = 1 ] && rm -rf "$RUN_DIR/apiserver-data"
mkdir -p "$LOGS"

# start name args...: run a daemon in the background, its output in its log.
start() {
  local name=$1
  shift
  "$@" >>"$LOGS/$name.log" 2>&1 &
  PIDS[$name]=$!
  log "started $name (pid ${PIDS[$name]}), log: $LOGS/$name.log"
}

# kill_pods stops the pods' processes that the kubelets left running: each
# running container's state.json names its pid and the pid's start time, so
# a pid reused by another process is never touched.
kill_pods() {
  local f pid ticks now
  for f in "$RUN_DIR"/kubelet/*/pods/*/containers/*/state.json; do
    [ -f "$f" ] || continue
    grep -q '"running":true' "$f" || continue
    pid=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$f")
    ticks=$(sed -n 's/.*"startTicks":\([0-9]*\).*/\1/p' "$f")
    if [ -z "$pid" ] || [ ! -r "/proc/$pid/stat" ]; then continue; fi
    now=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f20)
    if [ -z "$ticks" ] || [ "$now" = "$ticks" ]; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    fi
  done
}

stop_all() {
  trap - INT TERM EXIT
  echo
  log "stopping"
  # The second apiserver first: the first one runs the etcd it uses.
  local order=(node-3 node-2 node-1 controller-manager scheduler apiserver-2 apiserver) name pid
  for name in "${order[@]}"; do
    pid=${PIDS[$name]:-}
    if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for name in "${order[@]}"; do
    pid=${PIDS[$name]:-}
    if [ -n "$pid" ]; then wait "$pid" 2>/dev/null || true; fi
  done
  [ "${KEEP_PODS:-}" = 1 ] || kill_pods
  log "stopped; logs are in $LOGS"
}

wait_for() { # what command...
  local what=$1 deadline=$((SECONDS + WAIT))
  shift
  until "$@"; do
    if [ $SECONDS -ge $deadline ]; then
      log "timed out after ${WAIT}s waiting for $what"
      return 1
    fi
    sleep 1
  done
}

api_ready() { curl -fsS --max-time 2 --cacert "$CA" "${1:-$API}/readyz" >/dev/null 2>&1; }
nodes_ready() {
  [ "$(curl -fsS --max-time 3 --cacert "$CA" -H "Authorization: Bearer $(cat "$KUBECONFIGS/admin.token")" "$API/api/v1/nodes" 2>/dev/null |
    grep -o '"type":"Ready","status":"True"' | wc -l)" -ge ${#NODES[@]} ]
}

# watch_daemons reports, once each, a daemon that exits, until Ctrl-C.
watch_daemons() {
  local name
  while true; do
    for name in "${!PIDS[@]}"; do
      if [ -z "${REPORTED[$name]:-}" ] && ! kill -0 "${PIDS[$name]}" 2>/dev/null; then
        REPORTED[$name]=1
        log "$name exited; see $LOGS/$name.log"
      fi
    done
    sleep 2
  done
}

main() {
  trap stop_all EXIT
  trap 'exit 130' INT TERM
  log "certificates and tokens in $SECRETS (kept if there), admin kubeconfig $ADMIN"
  NODES="${NODES[*]}" deploy/gen-secrets.sh "$SECRETS" "$API" "$CA" "$API" "$ADMIN"
  local secure=(--tls-cert-file "$SECRETS/pki/apiserver.crt" --tls-private-key-file "$SECRETS/pki/apiserver.key"
    --client-ca-file "$CA" --token-auth-file "$KUBECONFIGS/tokens.csv" --authorization-mode RBAC
    --service-account-issuer https://kubernetes.default.svc.cluster.local
    --service-account-signing-key-file "$SECRETS/pki/sa.key" --service-account-key-file "$SECRETS/pki/sa.pub")
  start apiserver "$BIN/apiserver" --bind-address "$BIND" --port "$PORT" --data-dir "$RUN_DIR/apiserver-data" \
    --default-not-ready-toleration-seconds 30 --default-unreachable-toleration-seconds 30 "${secure[@]}"
  wait_for "the apiserver" api_ready || exit 1
  # Addons (the default StorageClass), as kind and minikube apply theirs.
  "$BIN/ctl" --kubeconfig "$ADMIN" apply -f deploy/addons/ >"$LOGS/addons.log" 2>&1 ||
    log "applying deploy/addons failed; see $LOGS/addons.log"
  if [ "$APISERVERS" = 2 ]; then
    start apiserver-2 "$BIN/apiserver" --bind-address "$BIND" --port $((PORT + 1)) \
      --etcd-servers "http://127.0.0.1:2379" \
      --default-not-ready-toleration-seconds 30 --default-unreachable-toleration-seconds 30 "${secure[@]}"
    wait_for "the second apiserver" api_ready "$API2" || exit 1
  fi
  start scheduler "$BIN/scheduler" --kubeconfig "$KUBECONFIGS/scheduler.kubeconfig" --bind-address "$BIND" --port 10259 --leader-elect=true
  start controller-manager "$BIN/controller-manager" --kubeconfig "$KUBECONFIGS/controller-manager.kubeconfig" --bind-address "$BIND" --port 10257 \
    --leader-elect=true --node-monitor-grace-period 20s --host-path-volume-dir "$(cd "$RUN_DIR" && pwd)/volumes" --root-ca-file "$CA"
  local i
  for i in "${!NODES[@]}"; do
    start "${NODES[$i]}" "$BIN/kubelet" --kubeconfig "$KUBECONFIGS/${NODES[$i]}.kubeconfig" --node-name "${NODES[$i]}" --runtime process \
      --root-dir "$RUN_DIR/kubelet/${NODES[$i]}" --node-ip "$BIND" --address "$BIND" --port $((10250 + i)) \
      --node-lease-duration-seconds 20
  done
  wait_for "${#NODES[@]} Ready nodes" nodes_ready || log "continuing; see $LOGS/"
  cat <<EOF

tinykube runs as local processes (Ctrl-C stops them all): TLS, bearer tokens, RBAC.
  apiserver           $API
$([ "$APISERVERS" = 2 ] && echo "  second apiserver    $API2          (same etcd; the components use the first)")
  scheduler           http://$BIND:10259/metrics
  controller-manager  http://$BIND:10257/metrics
  kubelets            http://$BIND:10250 10251 10252 (node-1..3), /pods /metrics
  admin               export KUBECONFIG=$ADMIN
  ctl                 $BIN/ctl get nodes       (kubectl get nodes likewise, with KUBECONFIG set)
  curl                curl --cacert $CA -H "Authorization: Bearer \$(cat $KUBECONFIGS/admin.token)" $API/api/v1/nodes
  logs                $LOGS/
EOF
  watch_daemons
}

main "$@"
