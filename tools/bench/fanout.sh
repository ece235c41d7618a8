#!/usr/bin/env bash
# Push one fresh single-layer image of SIZE_MB through the balancer from the first client, pull it on the second
# alone, then on every client at once, ROUNDS times, and print the median wall time (until the last client has
# the image) and the median of the clients' own times. Runs on the machine whose Docker engine holds the clients.
#   fanout.sh SIZE_MB ROUNDS BALANCER_HOST:PORT CLIENT [CLIENT ...]
set -euo pipefail
# shellcheck source=tools/bench/lib.sh
source "$(dirname "$0")/lib.sh"
size_mb=$1 rounds=$2 balancer=$3
shift 3
clients=("$@")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
alone='' wall='' each=''

on() { docker exec "$@"; }

for round in $(seq "$rounds"); do
  # New content every round, so every pull reads the layer from RGW through a replica.
  image=$balancer/wharf-bench/fanout:$round-$RANDOM
  # shellcheck disable=SC2016 # the client's shell expands them
  on "${clients[0]}" bash -c 'set -euo pipefail; cd "$(mktemp -d)"
    head -c "$(($1 * 1024 * 1024))" /dev/urandom > blob
    tar -c blob | docker import - "$2" >/dev/null
    rm blob; rmdir "$PWD"
    docker push --quiet "$2" >/dev/null
    docker image rm "$2" >/dev/null' fanout "$size_mb" "$image"

  start=$(date +%s.%N)
  on "${clients[1]}" docker pull --quiet "$image" >/dev/null
  alone+="$(seconds "$start") "
  on "${clients[1]}" docker image rm "$image" >/dev/null

  start=$(date +%s.%N) pids=()
  for client in "${clients[@]}"; do
    (
      begin=$(date +%s.%N)
      on "$client" docker pull --quiet "$image" >/dev/null
      seconds "$begin" > "$work/$client"
    ) &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do
    wait "$pid"
  done
  wall+="$(seconds "$start") "
  for client in "${clients[@]}"; do
    each+="$(cat "$work/$client") "
    on "$client" docker image rm "$image" >/dev/null
  done
done

one=$(echo "$alone" | median)
all=$(echo "$wall" | median)
printf 'Fan-out through the balancer %s: %s MB single layer, median of %s rounds\n' "$balancer" "$size_mb" "$rounds"
printf '%-22s %9s %12s %9s\n' clients 'wall s' 'per-client s' 'wall ×'
printf '%-22s %9.2f %12.2f %9s\n' 1 "$one" "$one" 1.00
printf '%-22s %9.2f %12.2f %9s\n' "${#clients[@]} at once" "$all" "$(echo "$each" | median)" "$(ratio "$all" "$one")"
