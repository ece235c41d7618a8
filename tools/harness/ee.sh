#!/usr/bin/env bash
# Build the collection's execution environment with ansible-builder and try it: wharf.registry from the tarball this
# tree builds, the collections galaxy.yml depends on (packed from .venv's, the tested versions:
# tools/harness/ee_collections.py), on the Debian base `make images` builds (wharf-ee/base:13; no registry is
# reachable), from the definition in tests/ee/execution-environment.yml. The image is labelled with the hash of
# what went into it (the definition, every collection's MANIFEST.json, the base image's recipe, ansible-builder's
# pins), so a second run with nothing changed builds nothing. Then, inside the image: the collections it holds,
# `ansible-playbook wharf.registry.site --syntax-check -i inventories/example` and `ansible-doc
# wharf.registry.registry_retention`; it prints the image's size and the versions inside.
#
# ansible-builder runs from its own venv (tests/ee/requirements-ee.txt; .build/ee-builder links to it), not .venv.
# EE_IMAGE names the image (default wharf-ee/wharf-registry:<galaxy.yml version>); EE_NO_CACHE=1 builds it again
# from the base, without the label's shortcut or docker's layer cache.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-$top/.venv/bin/python}
cd "$top"
export PATH=$top/.venv/bin:$PATH
started=$SECONDS
work=$top/.build/ee-image
builder_venv=$top/.build/ee-builder
label=org.wharf.ee-recipe
version=$("$python" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')
image=${EE_IMAGE:-wharf-ee/wharf-registry:$version}

# ansible-builder in its own venv, kept like the matrix's (tools/harness/matrix.sh) in the user's cache under the
# hash of its pins and Python, so a clean clone does not install it again; .build/ee-builder names it.
pins=tests/ee/requirements-ee.txt
cache=${XDG_CACHE_HOME:-$HOME/.cache}/wharf/venvs
key=$({ cat "$pins"; python3 -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-12)
cached=$cache/ansible-builder-$key
mkdir -p "$cache" "$(dirname "$builder_venv")"
(
  flock 8
  if [ ! -f "$cached/.installed" ]; then
    rm -rf "$cached"
    python3 -m venv "$cached"
    "$cached/bin/pip" install -q --disable-pip-version-check -r "$pins"
    touch "$cached/.installed"
  fi
) 8>"$cached.lock"
rm -rf "$builder_venv"
ln -s "$cached" "$builder_venv"

# The base image (cached by its recipe like every lab image).
"$python" tools/harness/images.py build debian13_ee_base >/dev/null
base=$("$python" -c 'import yaml; print(yaml.safe_load(open("images/images.yml"))["lab_images"]["debian13_ee_base"]["tag"])')

# The definition's folder: the definition, requirements.yml and collections/ with every tarball.
rm -rf "$work"
mkdir -p "$work/definition/collections"
ansible-galaxy collection build --output-path "$work/definition/collections" . >/dev/null
"$python" tools/harness/tarball_secrets.py "$work"/definition/collections/wharf-registry-*.tar.gz
"$python" tools/harness/ee_collections.py "$work/definition/collections" >/dev/null
cp tests/ee/execution-environment.yml "$work/definition/"
{
  echo "---"
  echo "collections:"
  for tarball in "$work"/definition/collections/*.tar.gz; do
    printf '  - name: collections/%s\n    type: file\n' "$(basename "$tarball")"
  done
} >"$work/definition/requirements.yml"

# What went into the image, hashed: a tarball's MANIFEST.json holds the checksum of its FILES.json, which holds every
# file's, so the gzip's own timestamps do not count.
recipe=$(
  {
    cat "$work/definition/execution-environment.yml" "$work/definition/requirements.yml" "$pins"
    docker image inspect --format "{{ index .Config.Labels \"org.wharf.recipe\" }}" "$base"
    for tarball in "$work"/definition/collections/*.tar.gz; do
      tar -xzOf "$tarball" MANIFEST.json
    done
  } | sha256sum | cut -c1-16
)
current=$(docker image inspect --format "{{ index .Config.Labels \"$label\" }}" "$image" 2>/dev/null || true)
if [ "$current" = "$recipe" ] && [ -z "${EE_NO_CACHE:-}" ]; then
  echo "$image: current"
else
  # ansible-builder writes the build context; Debian's docker.io builds it with its legacy builder.
  "$builder_venv/bin/ansible-builder" create --file "$work/definition/execution-environment.yml" \
    --context "$work/context" --output-filename Dockerfile >"$work/create.log"
  previous=$(docker image inspect --format '{{ .Id }}' "$image" 2>/dev/null || true)
  build_started=$SECONDS
  if ! docker build ${EE_NO_CACHE:+--no-cache} --build-arg "EE_BASE_IMAGE=$base" --label "$label=$recipe" -t "$image" "$work/context" \
    >"$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log" >&2
    echo "docker build of the execution environment failed (log: $work/build.log)" >&2
    exit 1
  fi
  echo "$image: built in $((SECONDS - build_started)) s (log: $work/build.log)"
  # The image this one replaced, now untagged: ours, so it goes (docker keeps its layers other images share).
  if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{ .Id }}' "$image")" ]; then
    docker image rm "$previous" >/dev/null 2>&1 || true
  fi
fi

# Inside the image, as an EE runs it (its entrypoint, /runner as the working directory).
run() { docker run --rm "$image" "$@"; }
collection_root=/usr/share/ansible/collections/ansible_collections/wharf/registry
listing=$(run ansible-galaxy collection list --format json 2>/dev/null)
versions=$(
  "$python" - "$listing" <<'PY'
import json
import sys

import yaml

listing = json.loads(sys.argv[1])
found = {name: info["version"] for path in listing.values() for name, info in path.items()}
galaxy = yaml.safe_load(open("galaxy.yml"))
missing = [name for name in ["wharf.registry", *galaxy["dependencies"]] if name not in found]
if missing:
    sys.exit(f"The execution environment lacks {', '.join(missing)}")
print(" ".join(f"{name} {version}" for name, version in sorted(found.items())))
PY
)
docker run --rm -w "$collection_root" "$image" \
  ansible-playbook wharf.registry.site --syntax-check -i inventories/example >"$work/syntax-check.log" 2>&1 || {
  cat "$work/syntax-check.log" >&2
  echo "ansible-playbook wharf.registry.site --syntax-check fails inside $image" >&2
  exit 1
}
run ansible-doc wharf.registry.registry_retention >"$work/ansible-doc.log" 2>&1 || {
  cat "$work/ansible-doc.log" >&2
  echo "ansible-doc wharf.registry.registry_retention fails inside $image" >&2
  exit 1
}
core=$(run python3 -c 'import platform; from ansible.release import __version__ as v; print(v, "on Python", platform.python_version())')
size=$(docker image inspect --format '{{ .Size }}' "$image")
echo "$image ($((size / 1000000)) MB): ansible-core $core; $versions"
echo "execution environment: collections listed, site.yml --syntax-check and ansible-doc passed inside it" \
  "in $((SECONDS - started)) s"
