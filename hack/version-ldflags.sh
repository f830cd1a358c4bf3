#!/usr/bin/env bash
# Prints the -ldflags -X settings that stamp the apiserver's /version with
# the commit it is built from (gitCommit, gitTreeState, buildDate: Kubernetes
# sets them the same way). Prints nothing outside a git checkout, and the
# apiserver then falls back to Go's VCS stamp, if any.
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(git rev-parse HEAD 2>/dev/null) || exit 0
state=clean
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || state=dirty
date=$(TZ=UTC git show -s --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd HEAD)
pkg=github.com/tinykube/tinykube/pkg/apiserver
echo "-X $pkg.gitCommit=$commit -X $pkg.gitTreeState=$state -X $pkg.buildDate=$date"
