# shellcheck shell=bash
# scripts/bootstrap.sh — one-shot set-up shared by ./run-demo and ./run-tests.
#
# Sourced, not executed.  Safe under `set -euo pipefail`.  It:
#   1. finds a Python >= 3.11 (python3, or $KIOSK_PYTHON if set);
#   2. checks the system libraries Kivy needs at run time (libGL, libEGL,
#      Mesa's DRI driver, libmtdev), libudev (pyudev: hotplug, doctor) and that
#      `python3 -m venv` works;
#      installs what is missing with apt-get when running as root, otherwise
#      prints the exact `sudo apt install ...` line and exits 1;
#   3. creates/reuses the virtualenv at $REPO/.venv and runs
#      `pip install -e ".[EXTRAS]"` only when setup.cfg/pyproject.toml changed or
#      an extra is asked for that is not installed yet (kept in .venv/.installed-stamp).
# KIOSK_EXTRAS (set by the caller before sourcing) names the extras: empty for a device's
# runtime (./run-demo, the Ansible role), "test,dev,hub" for ./run-tests, which also sets
# KIOSK_TEST_SYSTEM=1 for the Debian packages the tests drive (chromium, nginx, postgresql).
# Exports: REPO (absolute repo root), VENV_PY (absolute path to the venv's python).
# Progress goes to stderr, prefixed with "[setup]".

REPO="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
export REPO

_bs_log() { printf '[setup] %s\n' "$*" >&2; }
_bs_die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- python ---
_bs_find_python() {
    _BS_PY="${KIOSK_PYTHON:-python3}"
    if ! command -v "$_BS_PY" >/dev/null 2>&1; then
        _bs_die "Python >= 3.11 not found ('$_BS_PY' is not on PATH) — install it with: sudo apt install python3 python3-venv"
    fi
    local ver
    ver="$("$_BS_PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
    if ! "$_BS_PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1; then
        _bs_die "Python >= 3.11 is required but '$_BS_PY' is ${ver:-unusable} — install it with: sudo apt install python3 python3-venv"
    fi
}

# ------------------------------------------------------- system libraries ---
# The ldconfig cache is read once into a variable: `ldconfig -p | grep -q`
# would make ldconfig die of SIGPIPE, which pipefail turns into a false miss.
_BS_LDCACHE=""
_bs_load_ldcache() {
    local ldc="" c
    if command -v ldconfig >/dev/null 2>&1; then
        ldc="$(command -v ldconfig)"
    else
        for c in /sbin/ldconfig /usr/sbin/ldconfig; do
            if [ -x "$c" ]; then ldc="$c"; break; fi
        done
    fi
    if [ -n "$ldc" ]; then
        _BS_LDCACHE="$("$ldc" -p 2>/dev/null || true)"
    fi
}

# _bs_have_lib SONAME -> 0 if the shared library is known to the loader.
_bs_have_lib() {
    local so="$1" d
    if [ -n "$_BS_LDCACHE" ] && grep -qF -- " $so " <<<"$_BS_LDCACHE"; then
        return 0
    fi
    # No ldconfig (or an empty/stale cache): look in the usual places.
    for d in /lib/*-linux-gnu* /usr/lib/*-linux-gnu* /lib64 /usr/lib64 /lib /usr/lib /usr/local/lib; do
        if [ -e "$d/$so" ]; then return 0; fi
    done
    return 1
}

_bs_have_dri() {
    local f
    for f in /usr/lib/*/dri/swrast_dri.so /usr/lib/*/dri/kms_swrast_dri.so \
             /usr/lib/dri/swrast_dri.so /usr/lib/dri/kms_swrast_dri.so; do
        if [ -e "$f" ]; then return 0; fi
    done
    return 1
}

_bs_have_postgres() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then return 0; fi
    done
    return 1
}

_bs_have_venv() {
    "$_BS_PY" -c 'import venv, ensurepip' >/dev/null 2>&1
}

# Prints the Debian packages still missing (space separated; empty if none).
# Extra "SONAME=package" pairs may be passed to check more libraries (used to
# test the failure path without uninstalling anything).
_bs_missing_packages() {
    local missing=() pair
    _bs_load_ldcache
    for pair in libGL.so.1=libgl1 libEGL.so.1=libegl1 libmtdev.so.1=libmtdev1 libudev.so.1=libudev1 "$@"; do
        _bs_have_lib "${pair%%=*}" || missing+=("${pair#*=}")
    done
    _bs_have_dri || missing+=(libgl1-mesa-dri)
    _bs_have_venv || missing+=(python3-venv)
    if [ "${KIOSK_TEST_SYSTEM:-0}" = 1 ]; then
        # The tests drive a real browser, web server and database (the hub's pages, a
        # published tree behind nginx, the hub on PostgreSQL).
        command -v chromium >/dev/null 2>&1 || missing+=(chromium)
        [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
        _bs_have_postgres || missing+=(postgresql)
    fi
    printf '%s' "${missing[*]:-}"
}

# shellcheck disable=SC2120  # extra SONAME=package pairs are for tests only
_bs_check_system() {
    local missing
    missing="$(_bs_missing_packages "$@")"
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        _bs_log "installing missing system packages: $missing"
        # apt/dpkg chatter goes to a log that is shown only if something fails.
        local aptlog
        aptlog="$(mktemp)"
        # shellcheck disable=SC2086  # word splitting of the package list is wanted
        if ! { apt-get update -qq \
               && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } >"$aptlog" 2>&1; then
            cat -- "$aptlog" >&2
            rm -f -- "$aptlog"
            _bs_die "apt-get install $missing failed"
        fi
        rm -f -- "$aptlog"
        missing="$(_bs_missing_packages "$@")"
        [ -z "$missing" ] && return 0
        _bs_die "still missing after apt-get install: $missing"
    fi
    printf 'missing system packages: %s — install them with: sudo apt install %s\n' \
        "$missing" "$missing" >&2
    exit 1
}

# ------------------------------------------------------------ virtualenv ---
_bs_deps_hash() {
    local f files=()
    for f in setup.cfg pyproject.toml; do
        [ -f "$REPO/$f" ] && files+=("$REPO/$f")
    done
    [ "${#files[@]}" -gt 0 ] || _bs_die "neither setup.cfg nor pyproject.toml found in $REPO"
    cat -- "${files[@]}" | sha256sum | cut -d' ' -f1
}

_bs_venv() {
    local venv="$REPO/.venv" stamp="$REPO/.venv/.installed-stamp" want have=""
    local piplog="$REPO/.venv/.pip-install.log"
    VENV_PY="$venv/bin/python"
    export VENV_PY

    # Reuse only a venv whose interpreter still runs, is new enough, and has
    # pip (a half-made venv from an interrupted run, or one whose base
    # Python was removed/upgraded, is rebuilt).
    if [ -d "$venv" ]; then
        if ! "$VENV_PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1 \
           || [ ! -x "$venv/bin/pip" ]; then
            _bs_log "existing .venv is broken or too old; recreating it"
            rm -rf -- "$venv"
        fi
    fi

    if [ ! -d "$venv" ]; then
        _bs_log "creating virtualenv .venv ($("$_BS_PY" -c 'import sys; print(sys.version.split()[0])'))"
        if ! "$_BS_PY" -m venv "$venv" >&2; then
            rm -rf -- "$venv"
            _bs_die "'$_BS_PY -m venv' failed — install it with: sudo apt install python3-venv"
        fi
        _bs_log "upgrading pip"
        if ! "$VENV_PY" -m pip install -q --upgrade pip >"$piplog" 2>&1; then
            cat -- "$piplog" >&2
            _bs_die "pip upgrade failed"
        fi
    fi

    local extras="${KIOSK_EXTRAS:-}" have_extras="" e missing_extra=0 spec
    want="$(_bs_deps_hash)" || exit 1
    if [ -f "$stamp" ]; then
        have="$(sed -n 1p -- "$stamp")"
        have_extras="$(sed -n 2p -- "$stamp")"
    fi
    # Extras already installed stay (a test venv also runs the demo); only new ones install.
    for e in ${extras//,/ }; do
        case ",$have_extras," in
            *",$e,"*) ;;
            *) missing_extra=1 ;;
        esac
    done
    if [ "$want" = "$have" ] && [ "$missing_extra" -eq 0 ] && [ -x "$venv/bin/kiosk" ]; then
        _bs_log "dependencies up to date"
        return 0
    fi
    if [ "$want" = "$have" ] && [ -n "$have_extras" ]; then
        extras="$(printf '%s,%s' "$have_extras" "$extras" | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, -)"
    fi
    spec="."
    [ -n "$extras" ] && spec=".[$extras]"
    _bs_log "installing the project and its dependencies (pip install -e \"$spec\"; the first time takes a few minutes)"
    rm -f -- "$stamp"
    # pip's and setuptools' chatter goes to a log, shown only on failure.
    if ! (cd "$REPO" && "$VENV_PY" -m pip install -q -e "$spec") >"$piplog" 2>&1; then
        tail -n 60 -- "$piplog" >&2
        _bs_die "pip install -e \"$spec\" failed (last lines above; full log: $piplog)"
    fi
    printf '%s\n%s\n' "$want" "$extras" >"$stamp"
    _bs_log "done"
}

# The project's own modules compiled ahead: the services run it from a checkout
# they cannot write to (ProtectSystem=strict), so Python would otherwise compile
# them in memory at every start (about 0.15 s of the player's first frame on a
# 2-core machine). Quick when nothing changed (it compares timestamps).
_bs_compile() {
    (cd "$REPO" && "$VENV_PY" -m compileall -q -j 0 kiosk player content_cache sync hub) >/dev/null \
        || _bs_log "warning: could not byte-compile the project (it still runs, starting slower)"
}

# ------------------------------------------------------------------ main ---
# A lock on the repo directory keeps two first runs (say ./run-demo and
# ./run-tests in two terminals) from building the same .venv at once.  The fd
# is closed at the end so the demo/test process does not keep holding it.
_bs_main() {
    local locked=0
    if command -v flock >/dev/null 2>&1 && exec 9<"$REPO"; then
        if ! flock -n 9; then
            _bs_log "waiting for another set-up in $REPO to finish"
            flock 9
        fi
        locked=1
    fi
    _bs_find_python
    # shellcheck disable=SC2119
    _bs_check_system
    _bs_venv
    _bs_compile
    if [ "$locked" -eq 1 ]; then exec 9<&-; fi
}

# Set KIOSK_BOOTSTRAP_NO_MAIN=1 to load the functions only (for testing them).
if [ "${KIOSK_BOOTSTRAP_NO_MAIN:-0}" != 1 ]; then
    _bs_main
fi
