#!/usr/bin/env bash
# Go benchmarks of the project (the end-to-end harness of issue 10 plugs in here).
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchmem -count=1 ./pkg/... "$@"
