#!/usr/bin/env bash
# CI: what packages/kernels' guest tests need (issue 13): qemu and a static busybox from
# Debian when missing, and Debian's 6.1 kernel fetched into epl's cache (`epl kernels fetch 6.1`;
# a no-op once cached). Run after `npm ci` (it uses the built CLI). Without root it installs
# nothing and says so: the guest tests then skip, naming what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
# busybox (dynamic) also installs /bin/busybox; only busybox-static runs in an initramfs.
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=(busybox-static)
if [ "$(id -u)" != 0 ]; then
  echo "kernel-setup: not root: installs nothing${missing[*]:+ (missing: ${missing[*]})}"
  exit 0
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "kernel-setup: apt-get install --no-install-recommends ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# A fresh machine may have empty package lists: update them once if the fetch cannot find 6.1.
node packages/cli/bin/epl.js kernels fetch 6.1 || { apt-get update -qq && node packages/cli/bin/epl.js kernels fetch 6.1; }
