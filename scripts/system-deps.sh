#!/usr/bin/env bash
# Install the system pieces the end-to-end tests need, each one only when its command is missing:
#   chromium  Debian's browser, driven by Playwright in the browser tests (no browser download)
#   nodejs    Node.js, for the MCP Inspector and the MCP conformance suite (npx)
#   npm       npx, when Node.js came without it
# Node.js on our machines does not come from Debian, and Debian's npm conflicts with it ("held broken
# packages"), so nothing is asked for together and nothing already present is asked for at all.
#
# SIMULATE=1 runs `apt-get install -s` instead: what a fresh machine would do, without changing this one.
# ASSUME_MISSING="chromium ..." treats those commands as missing (with SIMULATE=1, to prove a fresh machine's path).
set -euo pipefail

declare -A package=([chromium]=chromium [node]=nodejs [npx]=npm)
missing=()
for cmd in chromium node npx; do
  if [[ " ${ASSUME_MISSING:-} " == *" $cmd "* ]] || ! command -v "$cmd" >/dev/null; then
    missing+=("${package[$cmd]}")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

# Node.js from elsewhere brings its own npx: never ask Debian for npm beside it.
if command -v node >/dev/null && [[ " ${ASSUME_MISSING:-} " != *" node "* ]]; then
  missing=("${missing[@]/npm}")
fi

apt-get update -qq
for pkg in "${missing[@]}"; do
  [[ -z $pkg ]] && continue
  echo "system-deps: installing $pkg"
  if [[ ${SIMULATE:-0} == 1 ]]; then
    apt-get install -s -y "$pkg" >/dev/null
  else
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
  fi
done
