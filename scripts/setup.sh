# scripts/setup.sh — sourced by scripts/play and scripts/test: installs the
# Debian packages that are missing (only then running apt-get update), and
# configures and builds into build/ (or $1).
set -euo pipefail

MA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MA_PACKAGES=(gcc pkg-config meson ninja-build python3 libsqlite3-dev libncurses-dev libcjson-dev
             libcurl4-openssl-dev libcmocka-dev libpng-dev libcrypt-dev tmux sqlite3
             # the sync server and its tests: PostgreSQL 15, libpq, libmicrohttpd, nettle (SHA-256
             # of tokens); haproxy and pgbouncer for the two-process load test
             postgresql postgresql-client libpq-dev libmicrohttpd-dev nettle-dev haproxy pgbouncer)

ma_install_missing() {
    local missing=() p
    for p in "${MA_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing missing packages: ${missing[*]}" >&2
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then sudo=(sudo); else
            echo "error: need root or sudo to install: ${missing[*]}" >&2; return 1
        fi
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# ma_build DIR [meson options...]: sets DIR up with the options, or, when it is set up already
# (scripts/play made build/ first), gives it the options now, so that scripts/test always builds
# with -Dwerror=true.
ma_build() {
    local dir=$1; shift
    if [ ! -f "$MA_ROOT/$dir/build.ninja" ]; then
        meson setup "$MA_ROOT/$dir" "$MA_ROOT" "$@" >/dev/null
    elif [ $# -gt 0 ]; then
        meson configure "$MA_ROOT/$dir" "$@" >/dev/null
    fi
    ninja -C "$MA_ROOT/$dir" >/dev/null || ninja -C "$MA_ROOT/$dir"
}
