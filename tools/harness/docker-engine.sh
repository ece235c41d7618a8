#!/usr/bin/env bash
# Make sure a Docker engine answers. As root on Debian with none running, install Debian's docker.io and start
# dockerd (through systemd where it is PID 1, by hand otherwise); anywhere else, say what to do and stop.
set -euo pipefail

engine_answers() { docker info >/dev/null 2>&1; }

engine_answers && exit 0

if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  echo "No Docker engine answers: start one you can reach as this user (or run make as root on Debian, which installs docker.io), then retry." >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "Installing Debian's docker.io ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
  systemctl start docker
else
  echo "Starting dockerd (log: /var/log/dockerd.log) ..."
  setsid dockerd >>/var/log/dockerd.log 2>&1 < /dev/null &
fi

for _ in $(seq 60); do
  engine_answers && exit 0
  sleep 1
done
echo "dockerd did not answer within 60 s; see /var/log/dockerd.log (or journalctl -u docker)." >&2
exit 1
