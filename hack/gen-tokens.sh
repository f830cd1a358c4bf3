#!/usr/bin/env bash
# Makes the bearer tokens of a tinykube cluster: DIR/tokens.csv for the
# apiserver's --token-auth-file (Kubernetes' format token,user,uid,"groups")
# and, per identity, DIR/<name>.token and DIR/<name>.kubeconfig.
# Tokens are random (32 bytes from /dev/urandom) and never committed; an
# existing tokens.csv is kept unless FORCE=1, so restarts keep their tokens.
#
#   hack/gen-tokens.sh DIR SERVER_URL [CA_FILE]
#   NODES="kubelet-1 kubelet-2" hack/gen-tokens.sh .local/auth http://127.0.0.1:8080
#
# Identities (see pkg/apiserver/authorization/rbac/policy.go for their roles):
#   admin               admin                          group system:masters
#   scheduler           system:kube-scheduler
#   controller-manager  system:kube-controller-manager
#   <node>              system:node:<node>             group system:nodes   (one per NODES entry)
#   <sim>               system:kubelet-simulator:<sim> group system:nodes   (one per SIMULATORS entry)
#   prometheus          system:prometheus              group system:monitoring
# A simulating kubelet (--nodes=N) serves nodes <sim>-0..<sim>-N-1, so it is
# not one node's identity: the apiserver's node restriction (a node writes
# only its own Node, Lease and pods) applies to system:node:<name> users only.
set -euo pipefail
dir="${1:?usage: gen-tokens.sh DIR SERVER_URL [CA_FILE]}"
server="${2:?usage: gen-tokens.sh DIR SERVER_URL [CA_FILE]}"
ca="${3:-}"
nodes="${NODES:-kubelet}"
umask 077
mkdir -p "$dir"
if [[ -s "$dir/tokens.csv" && "${FORCE:-0}" != 1 ]]; then
  echo "gen-tokens: $dir/tokens.csv exists, keeping it (FORCE=1 replaces it)"
  exit 0
fi
csv="$dir/tokens.csv.tmp"
: >"$csv"

token() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# kubeconfig NAME TOKEN: a kubeconfig using the token (and the CA if given).
kubeconfig() {
  local ca_line=""
  if [[ -n "$ca" ]]; then ca_line="    certificate-authority: $ca"; fi
  cat >"$dir/$1.kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: tinykube
  cluster:
    server: $server
$ca_line
users:
- name: $1
  user:
    token: $2
contexts:
- name: tinykube
  context:
    cluster: tinykube
    user: $1
current-context: tinykube
KUBECONFIG
}

# add NAME USER UID GROUPS
add() {
  local t
  t="$(token)"
  printf '%s,%s,%s,"%s"\n' "$t" "$2" "$3" "$4" >>"$csv"
  printf '%s\n' "$t" >"$dir/$1.token"
  kubeconfig "$1" "$t"
}

add admin admin admin system:masters
add scheduler system:kube-scheduler kube-scheduler ""
add controller-manager system:kube-controller-manager kube-controller-manager ""
for n in $nodes; do
  add "$n" "system:node:$n" "node-$n" system:nodes
done
for n in ${SIMULATORS:-}; do
  add "$n" "system:kubelet-simulator:$n" "simulator-$n" system:nodes
done
add prometheus system:prometheus prometheus system:monitoring
mv "$csv" "$dir/tokens.csv"
echo "gen-tokens: wrote $dir/tokens.csv and a token and kubeconfig per identity"
