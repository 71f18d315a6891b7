#!/bin/sh
# Makes rootful Podman 4.3 (Debian bookworm) run containers on a host like this one, a
# Firecracker VM where `podman run` otherwise fails:
#   crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted   (root lacks CAP_SYS_RESOURCE, and
#       Podman gives root's containers 1048576 open files; RLIMIT_NPROC likewise)
#   crun: cgroups in hybrid mode not supported, drop all controllers from cgroupv2
#       (cgroup v1 controllers plus a v2 "unified" mount)
# It installs runc and writes a containers.conf drop-in: runc, and limits the host allows.
# Usage: deploy/standins/podman-host.sh   (as root; changes /etc/containers only)
set -eu
command -v runc >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y runc
nofile=$(ulimit -Hn)
mkdir -p /etc/containers/containers.conf.d
cat > /etc/containers/containers.conf.d/50-commodex-host.conf <<CONF
# Written by deploy/standins/podman-host.sh: root here cannot raise its limits above the hard
# ones (no CAP_SYS_RESOURCE), and crun refuses hybrid cgroups where runc runs.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]

[engine]
runtime = "runc"
CONF
podman run --rm docker.io/library/debian:bookworm-slim true 2>/dev/null \
    || echo "podman-host: written; test it once debian:bookworm-slim exists (build.sh debian)"
