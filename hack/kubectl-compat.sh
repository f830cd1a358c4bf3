#!/usr/bin/env bash
# Runs the kubectl compatibility test (test/integration/ctl,
# TestKubectlCompatibility) with a real kubectl against an in-process
# apiserver. The kubectl is $KUBECTL, else the one on PATH, else Debian's
# kubernetes-client installed with apt-get when running as root. Without
# any, the test reports that it was skipped and why.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${KUBECTL:-}" ] && ! command -v kubectl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "kubectl-compat: installing kubernetes-client with apt-get"
    apt-get install -y -q kubernetes-client >/dev/null || echo "kubectl-compat: apt-get install kubernetes-client failed"
  fi
fi
if [ -n "${KUBECTL:-}" ]; then
  echo "kubectl-compat: using KUBECTL=$KUBECTL"
elif command -v kubectl >/dev/null 2>&1; then
  echo "kubectl-compat: using $(command -v kubectl) ($(kubectl version --client 2>/dev/null | head -1))"
else
  echo "kubectl-compat: no kubectl found; the test will be skipped"
fi
exec go test -count=1 -v -run 'TestKubectlCompatibility' ./test/integration/ctl
