#!/usr/bin/env bash
# The Debian packages the harness runs besides the Docker engine (docker-engine.sh sees to that): installed when
# missing as root on Debian, otherwise named in one sentence. Cheap when everything is there: make runs it often.
set -euo pipefail

# package → the check that it is there
declare -A present=(
  [debootstrap]="command -v debootstrap"
  [skopeo]="command -v skopeo"
  [shellcheck]="command -v shellcheck"
  [git]="command -v git"
  [python3-venv]="python3 -c 'import ensurepip'"
  [ca-certificates]="test -s /etc/ssl/certs/ca-certificates.crt"
)
missing=()
for package in "${!present[@]}"; do
  PATH=$PATH:/usr/sbin:/sbin bash -c "${present[$package]}" >/dev/null 2>&1 || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  echo "Missing Debian packages ${missing[*]}: install them (or run make as root on Debian, which does), then retry." >&2
  exit 1
fi
echo "Installing ${missing[*]} ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
