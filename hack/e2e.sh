#!/usr/bin/env bash
# `make e2e`: build the images, check the Prometheus configuration with
# promtool, bring up the compose cluster as its own project (tinykube-e2e, on
# free ports from 18080 and 19090 on, so that a cluster from `make up` or `make run` is left
# alone), run issue 8's scenario (test/e2e, build tag e2e), tear everything
# down and check that nothing is left. Exits non-zero on any failure.
#
# Environment: SKIP_BUILD=1 reuses the images; KEEP=1 leaves the cluster up
# afterwards (for debugging; `COMPOSE_PROJECT_NAME=tinykube-e2e make down VOLUMES=1`
# removes it); E2E_STEPS=regexp runs only the steps whose names match.
set -euo pipefail
cd "$(dirname "$0")/.."
export COMPOSE_PROJECT_NAME=${E2E_PROJECT:-tinykube-e2e}
# free_port n: the first port from n on that nothing listens on.
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
APISERVER_PORT=${E2E_APISERVER_PORT:-$(free_port 18080)}
PROMETHEUS_PORT=${E2E_PROMETHEUS_PORT:-$(free_port 19090)}
export APISERVER_PORT PROMETHEUS_PORT
# Instances behind the balancer; the scenario kills one of them.
export APISERVERS=${APISERVERS:-2}
# This run's certificates and tokens (made by up.sh, removed at teardown) and
# the admin kubeconfig the scenario uses.
export TINYKUBE_SECRETS=$PWD/.local/e2e/secrets
export ADMIN_KUBECONFIG=$TINYKUBE_SECRETS/admin.kubeconfig
export TAG=${TAG:-dev}
LOGS=.local/e2e/logs
STARTED=$(date +%s)

step() { printf '\n=== e2e: %s\n' "$*"; }
compose() { hack/compose.sh "$@"; }

# leftovers lists what the project still owns in Docker.
leftovers() {
  local f=label=com.docker.compose.project=$COMPOSE_PROJECT_NAME
  docker ps -aq --filter "$f"
  docker volume ls -q --filter "$f"
  docker network ls -q --filter "$f"
}

teardown() {
  if [ "${KEEP:-}" = 1 ]; then
    echo "KEEP=1: the cluster stays up (project $COMPOSE_PROJECT_NAME, apiserver localhost:$APISERVER_PORT)"
    return 0
  fi
  step "make down VOLUMES=1"
  VOLUMES=1 compose down >/dev/null 2>&1 || VOLUMES=1 compose down
  if [ -n "$(leftovers)" ]; then
    echo "e2e: FAIL: make down left containers, volumes or networks behind:" >&2
    leftovers >&2
    return 1
  fi
  rm -rf "$TINYKUBE_SECRETS"
  echo "nothing left behind"
}

save_logs() {
  mkdir -p "$LOGS"
  local s
  for s in $(compose config --services 2>/dev/null); do
    compose logs --no-color --timestamps "$s" >"$LOGS/$s.log" 2>&1 || true
  done
  echo "service logs saved in $LOGS/"
}

check_prometheus_config() {
  step "promtool check config, check rules, test rules (inside the Prometheus image)"
  local img=tinykube/prometheus:$TAG rules=() f
  for f in deploy/prometheus/rules/*.yml; do rules+=("/etc/prometheus/rules/$(basename "$f")"); done
  # check config wants the files the apiserver job names.
  deploy/gen-secrets.sh "$TINYKUBE_SECRETS" https://apiserver:8080 /pki/ca.crt
  docker run --rm --entrypoint /usr/bin/promtool -v "$TINYKUBE_SECRETS/pki/ca.crt:/pki/ca.crt:ro" \
    -v "$TINYKUBE_SECRETS/auth/prometheus.token:/auth/prometheus.token:ro" "$img" check config /etc/prometheus/prometheus.yml
  docker run --rm --entrypoint /usr/bin/promtool "$img" check rules "${rules[@]}"
  docker run --rm --entrypoint /usr/bin/promtool "$img" test rules /etc/prometheus/tests/alerts_test.yml
}

# on_exit keeps the logs of a failed run, tears down and sets the exit code.
on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  [ $rc -eq 0 ] || save_logs
  teardown || rc=1
  exit $rc
}

main() {
  if [ "${SKIP_BUILD:-}" != 1 ]; then
    step "build binaries and images"
    deploy/build-images.sh
  fi
  check_prometheus_config
  step "compose config"
  compose config -q
  # A previous run that was interrupted may have left the project behind.
  VOLUMES=1 compose down >/dev/null 2>&1 || true
  trap on_exit EXIT
  trap 'exit 130' INT TERM
  step "bring the cluster up (project $COMPOSE_PROJECT_NAME)"
  SKIP_BUILD=1 compose up
  step "scenario (go test -tags e2e ./test/e2e)"
  COMPOSE_CMD=$(hack/compose.sh --print-cmd) \
    TINYKUBE_KUBECONFIG=$ADMIN_KUBECONFIG TINYKUBE_PROMETHEUS=http://localhost:$PROMETHEUS_PORT \
    E2E_STEPS=${E2E_STEPS:-} go test -tags e2e -count=1 -v -timeout 30m -run '^TestScenario$' ./test/e2e/
  step "PASS in $(($(date +%s) - STARTED))s"
}

main "$@"
