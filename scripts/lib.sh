# shellcheck shell=bash disable=SC2034
# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by scripts/test and scripts/demo: Debian packages, the zh_CN.UTF-8 locale, the build.
# Sourced, not run.  Expects `set -euo pipefail` and ROOT (the repository root) and LOG_DIR.

SUI_BUILD_PACKAGES=(
  meson ninja-build pkg-config gcc libglib2.0-dev libjson-glib-dev libsoup-3.0-dev libpq-dev
  libsodium-dev libssl-dev libgtk-4-dev libadwaita-1-dev libxlsxwriter-dev gettext
)
SUI_RUNTIME_PACKAGES=(
  postgresql-15 postgresql-15-pgtap xvfb xauth x11-utils dbus dbus-x11 at-spi2-core
  python3-pyatspi gir1.2-atspi-2.0 python3-gi fonts-noto-cjk locales imagemagick glib-networking
  python3 util-linux procps libglib2.0-bin
)

sui_say () {
  printf '==> %s\n' "$*"
}

# Runs a command as root: directly when we are root, else through sudo.
sui_as_root () {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "error: need root (or sudo) to run: $*" >&2
    return 1
  fi
}

sui_missing_packages () {
  local p status
  for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
      *"install ok installed"*) ;;
      *) printf '%s\n' "$p" ;;
    esac
  done
}

# Installs whatever of the given packages is missing.  apt-get update only when needed.
sui_install_packages () {
  local missing log="$LOG_DIR/apt.log" added_policy=0
  mapfile -t missing < <(sui_missing_packages "$@")
  if [ "${#missing[@]}" -eq 0 ]; then
    sui_say "all Debian packages present"
    return 0
  fi
  sui_say "installing ${#missing[@]} Debian packages: ${missing[*]} (log: $log)"
  # Packages like postgresql-15 start services from their maintainer scripts; on a bare machine
  # we do not want a system cluster on port 5432 left running, so forbid service starts while
  # installing (unless the machine already has its own policy).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    sui_as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    added_policy=1
  fi
  local rc=0
  {
    sui_as_root env DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get update -q &&
    sui_as_root env DEBIAN_FRONTEND=noninteractive timeout 2400 \
      apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
      "${missing[@]}"
  } >>"$log" 2>&1 || rc=$?
  if [ "$added_policy" -eq 1 ]; then
    sui_as_root rm -f /usr/sbin/policy-rc.d
  fi
  if [ "$rc" -ne 0 ]; then
    echo "error: apt-get failed (status $rc); the end of $log:" >&2
    tail -n 30 "$log" >&2 || true
    return "$rc"
  fi
  mapfile -t missing < <(sui_missing_packages "$@")
  if [ "${#missing[@]}" -ne 0 ]; then
    echo "error: still missing after apt-get: ${missing[*]}" >&2
    return 1
  fi
}

sui_have_zh_locale () {
  locale -a 2>/dev/null | grep -qiE '^zh_CN\.utf-?8$'
}

sui_ensure_zh_locale () {
  if sui_have_zh_locale; then
    return 0
  fi
  sui_say "generating the zh_CN.UTF-8 locale"
  if [ -f /etc/locale.gen ] && grep -qE '^[# ]*zh_CN\.UTF-8 UTF-8' /etc/locale.gen; then
    sui_as_root sed -i -E 's/^[# ]*(zh_CN\.UTF-8 UTF-8)/\1/' /etc/locale.gen
  else
    echo 'zh_CN.UTF-8 UTF-8' | sui_as_root tee -a /etc/locale.gen >/dev/null
  fi
  sui_as_root timeout 600 locale-gen >>"$LOG_DIR/locale.log" 2>&1 ||
    sui_as_root timeout 600 localedef -i zh_CN -f UTF-8 zh_CN.UTF-8 >>"$LOG_DIR/locale.log" 2>&1
  sui_have_zh_locale
}

# meson setup (or reconfigure) BUILD_DIR with the given options, then ninja.
sui_build () {
  local dir="$1"; shift
  local log="$LOG_DIR/build.log"
  sui_say "building into $dir (log: $log)"
  : >"$log"
  if [ -f "$ROOT/$dir/meson-private/coredata.dat" ]; then
    if ! timeout 600 meson setup --reconfigure "$ROOT/$dir" "$ROOT" "$@" >>"$log" 2>&1; then
      sui_say "reconfigure failed; setting up $dir afresh"
      timeout 600 meson setup --wipe "$ROOT/$dir" "$ROOT" "$@" >>"$log" 2>&1
    fi
  else
    timeout 600 meson setup "$ROOT/$dir" "$ROOT" "$@" >>"$log" 2>&1
  fi
  timeout 2400 ninja -C "$ROOT/$dir" >>"$log" 2>&1
}

# Prints the end of the build log; used when the build fails.
sui_build_failed () {
  echo "error: the build failed; the end of $LOG_DIR/build.log:" >&2
  grep -nE 'error|Error|ERROR' "$LOG_DIR/build.log" | head -n 40 >&2 || true
  tail -n 40 "$LOG_DIR/build.log" >&2 || true
}
