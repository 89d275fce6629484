#!/usr/bin/env bash
# Installs the Debian packages that building and testing pocketnn need, only
# those missing. Needs root for apt-get; without root it lists what is
# missing and fails. Quiet unless something is installed.
set -euo pipefail
pkgs=(gcc make pkg-config libpng-dev libjpeg-dev clang valgrind
      python3 python3-venv python3-pip unzip ca-certificates
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)
missing=()
for p in "${pkgs[@]}"; do
  # dpkg-query reports "install ok installed" for an installed package.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "error: missing packages (run as root to install): ${missing[*]}" >&2
  exit 1
fi
echo "install_deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
