#!/usr/bin/env bash
# Push and pull one fresh single-layer image of SIZE_MB through each registry given, ROUNDS times, and print a
# table of median seconds and the ratio to the first registry (the baseline). Runs on a Docker client host.
#   measure.sh storage|cache SIZE_MB ROUNDS NAME=HOST:PORT [NAME=HOST:PORT ...]
# storage: push and pull. cache: a cold pull (image not on the client), a warm pull (it is: manifest and HEADs
# only), and BURST HEADs of the layer and GETs of the manifest by tag, each on a new connection as clients make them.
set -euo pipefail
# shellcheck source=tools/bench/lib.sh
source "$(dirname "$0")/lib.sh"
mode=$1 size_mb=$2 rounds=$3
shift 3
burst=50
names=() registries=()
for pair in "$@"; do
  names+=("${pair%%=*}")
  registries+=("${pair#*=}")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A push pull warm heads gets

# Seconds for BURST HEADs of the image's layer, then for BURST GETs of its manifest.
bursts() {
  python3 - "$1" "$2" "$3" "$burst" <<'EOF'
import json
import sys
import time
import urllib.request

registry, repository, tag, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
accept = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json'


def request(url, method):
    with opener.open(urllib.request.Request(url, method=method, headers={'Accept': accept})) as answer:
        return answer.read()


def timed(url, method):
    start = time.monotonic()
    for _ in range(count):
        request(url, method)
    return time.monotonic() - start


manifest = f'http://{registry}/v2/{repository}/manifests/{tag}'
layer = json.loads(request(manifest, 'GET'))['layers'][0]['digest']
print(f"{timed(f'http://{registry}/v2/{repository}/blobs/{layer}', 'HEAD'):.3f} {timed(manifest, 'GET'):.3f}")
EOF
}

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
    if [[ $mode == cache ]]; then
      start=$(date +%s.%N)
      docker pull --quiet "$remote" >/dev/null
      warm[$i]+="$(seconds "$start") "
      read -r h g < <(bursts "${registries[$i]}" "${image%%:*}" "${image#*:}")
      heads[$i]+="$h " gets[$i]+="$g "
    fi
    docker image rm "$remote" >/dev/null
  done
done

if [[ $mode == storage ]]; then
  printf 'Storage: %s MB single layer, median of %s rounds\n' "$size_mb" "$rounds"
  printf '%-22s %9s %9s %9s %9s\n' storage 'push s' 'pull s' 'push ×' 'pull ×'
  columns=(push pull)
else
  printf 'Cache, registry 3.x on s3 on RGW: %s MB single layer, %s requests a burst, median of %s rounds\n' \
    "$size_mb" "$burst" "$rounds"
  printf '%-22s %9s %9s %9s %9s %9s %9s %9s %9s\n' cache 'cold s' 'warm s' 'HEAD s' 'GET s' \
    'cold ×' 'warm ×' 'HEAD ×' 'GET ×'
  columns=(pull warm heads gets)
fi
declare -A base
for column in "${columns[@]}"; do
  declare -n values=$column
  base[$column]=$(echo "${values[0]}" | median)
done
for i in "${!registries[@]}"; do
  row=() ratios=()
  for column in "${columns[@]}"; do
    declare -n values=$column
    m=$(echo "${values[$i]}" | median)
    row+=("$(printf '%.2f' "$m")")
    ratios+=("$(ratio "$m" "${base[$column]}")")
  done
  printf '%-22s' "${names[$i]}"
  printf ' %9s' "${row[@]}" "${ratios[@]}"
  printf '\n'
done
