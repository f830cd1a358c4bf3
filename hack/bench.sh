#!/usr/bin/env bash
# `make bench`: the performance harness of issue 10 (test/bench). Builds the
# daemons (make build, plus bin/etcd from hack/tools/etcd when missing),
# then runs test/bench/cmd/bench, which measures raw etcd puts and then the
# apiserver, scheduler and a simulated kubelet on that same etcd. It prints
# a table and writes bench-results/<UTC time>.json.
#
# Arguments go to the harness: hack/bench.sh -N 200 -M 2000 -C 64 -W 1000
# (make bench BENCH_ARGS="..."); --quick for a run of seconds; --help.
# Environment:
#   PROFILE=1   also save CPU (during the load) and heap profiles of the apiserver,
#               the scheduler and the kubelet (all run with --profiling) in
#               bench-results/profiles-<time>/
#   GOBENCH=1   also run the Go micro-benchmarks (go test -bench . ./pkg/...)
#   SKIP_BUILD=1  use bin/ as it is
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
export GOEXPERIMENT="${GOEXPERIMENT-jsonv2}" # as the Makefile builds the daemons

if [ "${SKIP_BUILD:-}" != 1 ]; then
  make --no-print-directory build
  if [ ! -x bin/etcd ]; then
    echo "==> go build bin/etcd (hack/tools/etcd)"
    (cd hack/tools/etcd && go build -trimpath -ldflags "-s -w" -o ../../../bin/etcd .)
  fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/bench" ./test/bench/cmd/bench

args=()
if [ "${PROFILE:-}" = 1 ]; then
  stamp=$(date -u +%Y-%m-%dT%H-%M-%SZ)
  profiles="bench-results/profiles-$stamp"
  args+=(--profile-dir "$profiles")
fi

"$tmp/bench" "${args[@]}" "$@"

if [ "${PROFILE:-}" = 1 ]; then
  for f in "$profiles"/*-cpu.pprof; do
    [ -s "$f" ] || continue
    echo; echo "==> top of $f"
    go tool pprof -top -nodecount=25 "$f" 2>/dev/null | sed -n '1,32p'
  done
fi

if [ "${GOBENCH:-}" = 1 ]; then
  go test -run '^$' -bench . -benchmem -count=1 ./pkg/...
fi
