#!/usr/bin/env bash
# Builds the compose cluster's images without pulling anything from a
# registry: static Go binaries (CGO_ENABLED=0) and files extracted from Debian
# packages (busybox-static, prometheus and its C library and web assets) are
# staged under .local/images/<image>/rootfs and each image is built FROM
# scratch by the classic builder (no buildx needed).
#
#   deploy/build-images.sh [image...]     (default: all images)
#
# Environment: TAG (default dev), DEB_DIR (where .deb files are cached,
# default .local/debs), SKIP_GO_BUILD=1 to reuse bin/ as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
version_ldflags=$("$ROOT/hack/version-ldflags.sh") # /version names the commit built
TAG=${TAG:-dev}
STAGE=$ROOT/.local/images
DEB_DIR=${DEB_DIR:-$ROOT/.local/debs}
BIN=$ROOT/bin
ALL_IMAGES=(etcd apiserver scheduler controller-manager kubelet prometheus haproxy)
IMAGES=("$@")
[ ${#IMAGES[@]} -gt 0 ] || IMAGES=("${ALL_IMAGES[@]}")

# Debian packages whose files the images need. prometheus's web UI links its
# JavaScript from the libjs-* packages; libc6 is the only library it loads.
DEBS_BUSYBOX=(busybox-static)
DEBS_PROMETHEUS=(prometheus libc6 libjs-jquery libjs-bootstrap4 libjs-d3 libjs-rickshaw libjs-moment
  libjs-moment-timezone libjs-mustache libjs-popper.js libjs-jquery-hotkeys
  libjs-eonasdan-bootstrap-datetimepicker fonts-glyphicons-halflings)
# haproxy (the apiservers' load balancer) and every library it links.
DEBS_HAPROXY=(haproxy libc6 libcrypt1 libssl3 liblua5.3-0 libsystemd0 libpcre2-8-0 libopentracing-c-wrapper0
  libopentracing1 libstdc++6 libgcc-s1 libcap2 libgcrypt20 liblzma5 libzstd1 liblz4-1 libgpg-error0)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'build-images: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

go_build() { # out package [dir]
  local out=$1 pkg=$2 dir=${3:-$ROOT}
  log "go build $pkg"
  (cd "$dir" && CGO_ENABLED=0 GOEXPERIMENT="${GOEXPERIMENT-jsonv2}" go build -trimpath -ldflags "-s -w $version_ldflags" -o "$out" "$pkg")
}

build_binaries() {
  [ "${SKIP_GO_BUILD:-}" = 1 ] && return 0
  mkdir -p "$BIN"
  local need=" ${IMAGES[*]} " d
  for d in apiserver scheduler controller-manager kubelet; do
    case "$need" in *" $d "*) go_build "$BIN/$d" "./cmd/$d" ;; esac
  done
  case "$need" in *" apiserver "*) go_build "$BIN/ctl" ./cmd/ctl ;; esac
  go_build "$BIN/healthcheck" ./hack/tools/healthcheck
  case "$need" in *" etcd "*) go_build "$BIN/etcd" . "$ROOT/hack/tools/etcd" ;; esac
}

# fetch_debs pkg... : download the packages into DEB_DIR (once) and extract
# them all into DEB_DIR/root.
fetch_debs() {
  command -v apt-get >/dev/null || die "apt-get not found: the images take busybox and prometheus from Debian packages; run on Debian/Ubuntu or put the .deb files in $DEB_DIR"
  mkdir -p "$DEB_DIR/root"
  local p missing=()
  for p in "$@"; do
    compgen -G "$DEB_DIR/${p}_*.deb" >/dev/null || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
      log "apt-get update (package lists are missing)"
      as_root apt-get update -qq
    fi
    log "apt-get download ${missing[*]}"
    (cd "$DEB_DIR" && apt-get download "${missing[@]}" 2>&1 | { grep -v '^W: Download is performed unsandboxed' || true; } >&2) ||
      die "apt-get download ${missing[*]} failed"
  fi
  for p in "$@"; do
    for f in "$DEB_DIR/${p}"_*.deb; do dpkg-deb -x "$f" "$DEB_DIR/root"; done
  done
}

# stage name: a fresh context dir with the image's Dockerfile and rootfs/.
stage() {
  local dir=$STAGE/$1
  rm -rf "$dir"
  mkdir -p "$dir/rootfs/usr/local/bin"
  cp "deploy/images/$1/Dockerfile" "$dir/"
  cp "$BIN/healthcheck" "$dir/rootfs/usr/local/bin/"
  echo "$dir"
}

stage_go() { # image binary...
  local dir b
  dir=$(stage "$1")
  shift
  for b in "$@"; do cp "$BIN/$b" "$dir/rootfs/usr/local/bin/"; done
}

stage_kubelet() {
  fetch_debs "${DEBS_BUSYBOX[@]}"
  local dir a
  dir=$(stage kubelet)
  cp "$BIN/kubelet" "$dir/rootfs/usr/local/bin/"
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/tmp" "$dir/rootfs/var/lib/kubelet" "$dir/rootfs/etc"
  chmod 1777 "$dir/rootfs/tmp"
  cp "$DEB_DIR/root/bin/busybox" "$dir/rootfs/bin/busybox"
  for a in $("$DEB_DIR/root/bin/busybox" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$dir/rootfs/bin/$a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir/rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/rootfs/etc/group"
}

stage_prometheus() {
  fetch_debs "${DEBS_PROMETHEUS[@]}"
  local dir r=$DEB_DIR/root
  dir=$(stage prometheus)
  mkdir -p "$dir/rootfs/usr/bin" "$dir/rootfs/usr/share" "$dir/rootfs/prometheus" "$dir/rootfs/etc" "$dir/rootfs/tmp"
  chmod 1777 "$dir/rootfs/tmp" # promtool test rules keeps its test storage there
  cp "$r/usr/bin/prometheus" "$r/usr/bin/promtool" "$dir/rootfs/usr/bin/"
  cp -a "$r/lib" "$r/lib64" "$dir/rootfs/"
  rm -rf "$dir/rootfs/lib/systemd"
  cp -a "$r/usr/share/prometheus" "$r/usr/share/javascript" "$r/usr/share/nodejs" \
    "$r/usr/share/fonts-glyphicons" "$dir/rootfs/usr/share/"
  # moment-timezone ships 200MB of per-zone data; the UI loads one file.
  rm -rf "$dir/rootfs/usr/share/javascript/moment-timezone/data"
  cp -a deploy/prometheus "$dir/rootfs/etc/prometheus"
}

stage_haproxy() {
  fetch_debs "${DEBS_HAPROXY[@]}"
  local dir r=$DEB_DIR/root
  dir=$(stage haproxy)
  mkdir -p "$dir/rootfs/usr/sbin" "$dir/rootfs/usr/lib" "$dir/rootfs/etc/haproxy" "$dir/rootfs/tmp"
  chmod 1777 "$dir/rootfs/tmp"
  cp "$r/usr/sbin/haproxy" "$dir/rootfs/usr/sbin/"
  cp -a "$r/lib" "$r/lib64" "$dir/rootfs/"
  rm -rf "$dir/rootfs/lib/systemd"
  cp -a "$r/usr/lib/x86_64-linux-gnu" "$dir/rootfs/usr/lib/"
  cp deploy/haproxy/haproxy.cfg "$dir/rootfs/etc/haproxy/haproxy.cfg"
}

docker_build() {
  log "docker build tinykube/$1:$TAG"
  local out
  # The classic builder (no buildx needed); its deprecation notice is noise.
  if ! out=$(DOCKER_BUILDKIT=0 docker build -q -t "tinykube/$1:$TAG" "$STAGE/$1" 2>&1); then
    printf '%s\n' "$out" >&2
    die "docker build tinykube/$1:$TAG failed"
  fi
}

main() {
  build_binaries
  local img
  for img in "${IMAGES[@]}"; do
    case "$img" in
      etcd) stage_go etcd etcd ;;
      apiserver) stage_go apiserver apiserver ctl ;;
      scheduler | controller-manager) stage_go "$img" "$img" ;;
      kubelet) stage_kubelet ;;
      prometheus) stage_prometheus ;;
      haproxy) stage_haproxy ;;
      *) die "unknown image $img (want one of ${ALL_IMAGES[*]})" ;;
    esac
    docker_build "$img"
  done
}

main
