#!/bin/sh
# dockerd-applied.sh note|check: whether the running dockerd runs what its files say (daemon.json and the unit's
# drop-ins). "note" records their digest as applied (after a reload or restart); "check" prints "current", or
# "pending" when the files changed after this dockerd started and no reload applied them since. The note lives in
# /run: a reboot, which starts dockerd anew, clears it.
set -eu
note=/run/wharf/dockerd-applied
files=$(ls /etc/docker/daemon.json /etc/systemd/system/docker.service.d/*.conf 2>/dev/null || true)
if [ -n "$files" ]; then
  # shellcheck disable=SC2086  # one path per word
  digest=$(cat $files | sha256sum | cut -d' ' -f1)
else
  digest=none
fi
case ${1:-} in
note)
  mkdir -p "$(dirname "$note")"
  echo "$digest" > "$note"
  ;;
check)
  pid=$(systemctl show --property=MainPID --value docker)
  # No files, a stopped dockerd (it starts with them) or the files as last applied: nothing to do.
  if [ -z "$files" ] || [ "$pid" = 0 ] || [ "$(cat "$note" 2>/dev/null || true)" = "$digest" ]; then
    echo current
    exit 0
  fi
  started=$(date -d "$(ps -o lstart= -p "$pid")" +%s)
  # shellcheck disable=SC2086
  newest=$(stat -c %Y $files | sort -n | tail -n 1)
  if [ "$newest" -gt "$started" ]; then echo pending; else echo current; fi
  ;;
*)
  echo "usage: $0 note|check" >&2
  exit 2
  ;;
esac
