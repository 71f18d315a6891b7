#!/bin/sh
# Local stand-ins for the images deploy/compose.yaml and deploy/Dockerfile name, for a machine
# that reaches Debian's archive but no image registry. Built from Debian bookworm packages and
# tagged with the names the files use, so Podman finds them locally and never pulls:
#   debian    debian:bookworm-slim     debootstrap --variant=minbase, imported with `podman import`
#   rust      rust:1.95-slim-bookworm  that plus gcc/libc6-dev and this machine's Rust 1.95
#   postgres  postgres:17-bookworm     Debian's PostgreSQL 15 (bookworm has no 17), same contract
#   redis     redis:7-bookworm         Debian's redis-server 7.0
#   nginx     nginx:1.27-bookworm      Debian's nginx 1.22 (no `resolve` on upstream servers)
#   app       commodex:latest          only when deploy/Dockerfile cannot build: the runtime stage
#                                      over target/release/commodex built on the host (or
#                                      $COMMODEX_BINARY); replaces any commodex:latest
# Usage: deploy/standins/build.sh [NAME...]   (default: debian postgres redis nginx)
# Root filesystems and tarballs go to $STANDINS_WORKDIR (default /work/podman-build), never into
# the repository. Needs root, debootstrap and podman (see podman-host.sh for this VM's quirks).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${STANDINS_WORKDIR:-/work/podman-build}
mkdir -p "$work"
# Podman's default OCI format drops HEALTHCHECK; the Docker format keeps it.
export BUILDAH_FORMAT=docker

have() { podman image exists "$1"; }

debian() {
    have docker.io/library/debian:bookworm-slim && return
    root="$work/rootfs-bookworm"
    if [ ! -x "$root/usr/bin/apt-get" ]; then
        rm -rf "$root"
        nice -n 19 debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
    fi
    cat > "$root/etc/apt/sources.list" <<'LIST'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
LIST
    # Slim: no package lists or caches in the image, as in Debian's own slim images.
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
    tar -C "$root" --numeric-owner -cf "$work/bookworm-slim.tar" .
    podman import --change 'CMD ["bash"]' "$work/bookworm-slim.tar" docker.io/library/debian:bookworm-slim
}

# The official image's layout: RUSTUP_HOME=/usr/local/rustup, CARGO_HOME=/usr/local/cargo.
rust() {
    have docker.io/library/rust:1.95-slim-bookworm && return
    toolchain=${RUST_SYSROOT:-$(rustup run 1.95.0 rustc --print sysroot)}
    "$toolchain/bin/rustc" --version | grep -q '^rustc 1\.95\.' \
        || { echo "build.sh: $toolchain is not Rust 1.95" >&2; exit 1; }
    ctx="$work/rust-context"
    rm -rf "$ctx" && mkdir -p "$ctx/toolchain"
    tar -C "$toolchain" --exclude=./share/doc -cf - . | tar -C "$ctx/toolchain" -xf -
    cp "$here/Containerfile.rust" "$ctx/Containerfile"
    nice -n 19 podman build -t docker.io/library/rust:1.95-slim-bookworm -f "$ctx/Containerfile" "$ctx"
    rm -rf "$ctx"
}

service() { # service NAME TAG: from Containerfile.NAME and its entry script in this folder.
    have "docker.io/library/$1:$2" && return
    nice -n 19 podman build -t "docker.io/library/$1:$2" -f "$here/Containerfile.$1" "$here"
}

app() {
    binary=${COMMODEX_BINARY:-$repo/target/release/commodex}
    [ -x "$binary" ] || { echo "build.sh: no $binary; run: nice -n 19 cargo build --release -p commodex" >&2; exit 1; }
    podman rmi -f localhost/commodex:latest >/dev/null 2>&1 || true
    ctx="$work/app-context"
    rm -rf "$ctx" && mkdir -p "$ctx"
    cp "$binary" "$ctx/commodex"
    cp -r "$repo/config" "$ctx/config"
    cp "$here/Containerfile.app" "$ctx/Containerfile"
    nice -n 19 podman build -t localhost/commodex:latest -f "$ctx/Containerfile" "$ctx"
    rm -rf "$ctx"
}

[ $# -gt 0 ] || set -- debian postgres redis nginx
for name in "$@"; do
    case $name in
        debian) debian ;;
        rust) rust ;;
        postgres) service postgres 17-bookworm ;;
        redis) service redis 7-bookworm ;;
        nginx) service nginx 1.27-bookworm ;;
        app) app ;;
        *) echo "build.sh: unknown image '$name' (debian, rust, postgres, redis, nginx, app)" >&2; exit 2 ;;
    esac
done
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'docker.io/library/|commodex'
