#!/usr/bin/env bash
# Makes a cluster's certificates and bearer tokens at start time (nothing of
# it is committed): DIR/pki (CA, the apiserver's serving certificate for
# localhost, 127.0.0.1 and apiserver, the service account token key pair
# sa.key/sa.pub the apiservers share; hack/tools/gen-certs) and DIR/auth
# (tokens.csv for --token-auth-file and one token and kubeconfig per
# identity; hack/gen-tokens.sh). Both keep what exists, so a restarted
# cluster keeps its credentials. Then, when HOST_SERVER is given, writes
# ADMIN_KUBECONFIG: the admin identity, for the host, at HOST_SERVER and
# trusting DIR/pki/ca.crt (rewritten each time: the published port may move).
#
#   deploy/gen-secrets.sh DIR SERVER CA [HOST_SERVER ADMIN_KUBECONFIG]
#
# SERVER and CA are the apiserver URL and CA path the components' kubeconfigs
# name (inside the containers for compose). NODES lists the kubelet
# identities (default "node-1 node-2 node-3"), SIMULATORS those of kubelets
# simulating many nodes (default "sim", the compose profile's).
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: gen-secrets.sh DIR SERVER CA [HOST_SERVER ADMIN_KUBECONFIG]"
dir=${1:?$usage}
server=${2:?$usage}
ca=${3:?$usage}
host_server=${4:-}
admin=${5:-}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

go run ./hack/tools/gen-certs --dir "$dir/pki" --hosts localhost,127.0.0.1,apiserver >/dev/null
NODES=${NODES:-node-1 node-2 node-3} SIMULATORS=${SIMULATORS:-sim} hack/gen-tokens.sh "$dir/auth" "$server" "$ca" >/dev/null

[ -n "$host_server" ] || exit 0
[ -n "$admin" ] || { echo "$usage" >&2; exit 2; }
mkdir -p "$(dirname "$admin")"
umask 077
cat >"$admin.tmp" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: tinykube
  cluster:
    server: $host_server
    certificate-authority: $dir/pki/ca.crt
users:
- name: admin
  user:
    token: $(cat "$dir/auth/admin.token")
contexts:
- name: tinykube
  context:
    cluster: tinykube
    user: admin
current-context: tinykube
KUBECONFIG
mv "$admin.tmp" "$admin"
