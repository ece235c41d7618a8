#!/usr/bin/env bash
# Push and pull one fresh single-layer image of SIZE_MB through each registry given, ROUNDS times, and print a
# table of median seconds and the ratio to the first registry (the baseline). Runs on a Docker client host.
#   measure.sh SIZE_MB ROUNDS NAME=HOST:PORT [NAME=HOST:PORT ...]
set -euo pipefail
size_mb=$1 rounds=$2
shift 2
names=() registries=()
for pair in "$@"; do
  names+=("${pair%%=*}")
  registries+=("${pair#*=}")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A push pull

seconds() { awk -v start="$1" -v end="$(date +%s.%N)" 'BEGIN { printf "%.3f", end - start }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

for round in $(seq "$rounds"); do
  # New content every round: a registry that already holds a layer answers "exists" and measures nothing.
  head -c "$((size_mb * 1024 * 1024))" /dev/urandom > "$work/blob"
  image=wharf-bench/layer:$round-$RANDOM
  tar -C "$work" -c blob | docker import - "$image" >/dev/null
  for i in "${!registries[@]}"; do
    remote=${registries[$i]}/$image
    docker tag "$image" "$remote"
    start=$(date +%s.%N)
    docker push --quiet "$remote" >/dev/null
    push[$i]+="$(seconds "$start") "
    docker image rm "$remote" >/dev/null
  done
  docker image rm "$image" >/dev/null
  for i in "${!registries[@]}"; do
    remote=${registries[$i]}/$image
    start=$(date +%s.%N)
    docker pull --quiet "$remote" >/dev/null
    pull[$i]+="$(seconds "$start") "
    docker image rm "$remote" >/dev/null
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%s MB single layer, median of %s rounds\n' "$size_mb" "$rounds"
printf '%-22s %9s %9s %9s %9s\n' storage 'push s' 'pull s' 'push ×' 'pull ×'
base_push=$(echo "${push[0]}" | median)
base_pull=$(echo "${pull[0]}" | median)
for i in "${!registries[@]}"; do
  p=$(echo "${push[$i]}" | median)
  q=$(echo "${pull[$i]}" | median)
  printf '%-22s %9.2f %9.2f %9s %9s\n' "${names[$i]}" "$p" "$q" "$(ratio "$p" "$base_push")" "$(ratio "$q" "$base_pull")"
done
