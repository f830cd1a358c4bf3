#!/usr/bin/env bash
# Runs every Go fuzz target (func Fuzz* in *_test.go) for the given time each.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-3s}"
grep -rl --include='*_test.go' '^func Fuzz' pkg cmd 2>/dev/null | sort | while read -r f; do
  pkg="./$(dirname "$f")"
  for fn in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //'); do
    echo "fuzz: $pkg $fn ($t)"
    go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$t" "$pkg" >/tmp/fuzz.$$.log 2>&1 || { cat /tmp/fuzz.$$.log; exit 1; }
  done
done
echo "fuzz: all targets passed"
