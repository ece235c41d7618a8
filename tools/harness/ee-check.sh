#!/usr/bin/env bash
# Check the collection's execution environment metadata (meta/execution-environment.yml) as ansible-builder reads it
# from the installed tarball that `make artifact` leaves in .build/artifact: introspection must list the collection's
# Python requirements (requirements.txt, shipped), and `ansible-builder create` must accept the definition with its
# paths taken from the collection root, as introspection takes them. tools/harness/ee.sh (make ee) builds and tries
# the image itself.
# ansible-builder is not in .venv (its pins are not the lab's): ANSIBLE_BUILDER names it, e.g. from a throwaway
# venv: python3 -m venv /tmp/ab && /tmp/ab/bin/pip install ansible-builder.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
builder=${ANSIBLE_BUILDER:-ansible-builder}
collections=$top/.build/artifact/collections
installed=$collections/ansible_collections/wharf/registry
command -v "$builder" >/dev/null || { echo "No $builder: set ANSIBLE_BUILDER to an ansible-builder executable" >&2; exit 1; }
[ -f "$installed/MANIFEST.json" ] || { echo "No installed collection in $collections: run make artifact first" >&2; exit 1; }
work=$top/.build/ee
rm -rf "$work"
mkdir -p "$work"

# What an EE build would install for wharf.registry: every line of the shipped requirements.txt, nothing dropped.
"$builder" introspect --write-pip "$work/introspected.txt" "$collections" >"$work/introspect.out"
expected=$(grep -vE '^\s*(#|$)' "$installed/requirements.txt" | sort)
got=$(grep -oE '^[A-Za-z0-9._-]+' "$work/introspected.txt" | sort)
[ "$expected" = "$got" ] || {
  echo "ansible-builder introspect finds [$got] for wharf.registry, not [$expected] (requirements.txt)" >&2; exit 1; }

# The definition itself, with its paths relative to the collection root (where introspection resolves them).
cp -r "$installed" "$work/collection"
cp "$work/collection/meta/execution-environment.yml" "$work/collection/execution-environment.yml"
"$builder" create -f "$work/collection/execution-environment.yml" -c "$work/context" >"$work/create.out"
cmp -s "$installed/requirements.txt" "$work/context/_build/requirements.txt" || {
  echo "ansible-builder create did not take requirements.txt into $work/context/_build" >&2; exit 1; }
echo "execution environment: ansible-builder $("$builder" --version) introspects $(wc -l <<<"$got") Python requirements" \
  "($(tr '\n' ' ' <<<"$got" | sed 's/ $//')) and creates a build context in $work/context"
