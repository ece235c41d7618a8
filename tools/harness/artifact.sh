#!/usr/bin/env bash
# Test the collection as users get it: build the tarball, refuse it if it packs a secret, install it into an empty
# collections path, read every module, filter and role from there with ansible-doc and every shipped playbook by its
# FQCN with --syntax-check, and run ansible-test sanity on the installed copy. What ships is galaxy.yml's business
# (build_ignore): the lab playbooks and inventory stay out, because they need images/images.yml and the lab images,
# which are not shipped.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-$top/.venv/bin/python}
work=$top/.build/artifact
rm -rf "$work"
mkdir -p "$work/dist" "$work/collections"
cd "$top"
ansible-galaxy collection build --output-path "$work/dist" . >/dev/null
tarball=$(ls "$work"/dist/wharf-registry-*.tar.gz)

# Never a secret in a release (tarball_secrets.py says what counts): galaxy.yml's build_ignore keeps what the lab,
# the scenarios and registry_pki generate out; this catches what it misses, in one sentence naming the files.
"$python" tools/harness/tarball_secrets.py "$tarball"
shipped=$(tar -tzf "$tarball")
for unwanted in playbooks/lab.yml inventories/lab/ images/ molecule/ tests/ tools/; do
  if grep -q "^$unwanted" <<<"$shipped"; then
    echo "$(basename "$tarball") ships $unwanted, which users cannot run without this repository" >&2
    exit 1
  fi
done
# The README's way to production copies inventories/example next to it (inventories/prod): someone's hosts and
# settings, which build_ignore cannot name in advance.
others=$(grep -oE '^inventories/[^/]+/' <<<"$shipped" | sort -u | grep -vx 'inventories/example/' | tr '\n' ' ' || true)
if [ -n "$others" ]; then
  echo "$(basename "$tarball") ships ${others% }: only inventories/example is shipped;" \
    "move other inventories out of this tree" >&2
  exit 1
fi

# Only the installed copy, not this work tree (which make links into ANSIBLE_COLLECTIONS_PATH, and which the
# installer would take for the collection already installed); its dependencies come with the ansible package.
export ANSIBLE_COLLECTIONS_PATH=$work/collections
# --offline: Galaxy is unreachable.
ansible-galaxy collection install --offline --no-deps -p "$work/collections" "$tarball" >/dev/null
installed=$work/collections/ansible_collections/wharf/registry

checked=0
for module in "$installed"/plugins/modules/*.py; do
  ansible-doc -t module "wharf.registry.$(basename "$module" .py)" >/dev/null
  checked=$((checked + 1))
done
for role in "$installed"/roles/*/; do
  ansible-doc -t role "wharf.registry.$(basename "$role")" >/dev/null
  checked=$((checked + 1))
done
# Every filter the installed collection loads has its page (plugins/filter/<name>.yml beside the file defining it).
filters=$(ansible-doc -t filter -l wharf.registry | grep -oE '^wharf\.registry\.[a-z0-9_]+' || true)
[ -n "$filters" ] || { echo "No filter of wharf.registry loads from $installed" >&2; exit 1; }
for filter in $filters; do
  if ! ansible-doc -t filter "$filter" >/dev/null 2>&1; then
    echo "The filter $filter has no documentation page: add plugins/filter/${filter#wharf.registry.}.yml" >&2
    exit 1
  fi
  checked=$((checked + 1))
done
for playbook in "$installed"/playbooks/*.yml; do
  ANSIBLE_HOST_PATTERN_MISMATCH=ignore ansible-playbook --syntax-check -i localhost, \
    "wharf.registry.$(basename "$playbook" .yml)" >/dev/null
  checked=$((checked + 1))
done

# ansible-test sanity on what users install (no tests/, no harness: the tarball's own files), not on this work tree.
# Its output is long: it goes to a log, and only its errors come out here.
started=$SECONDS
if ! WHARF_TEST_FROM=$installed tools/harness/ansible-test.sh sanity >"$work/sanity.log" 2>&1; then
  grep -E '^(ERROR|FATAL):' "$work/sanity.log" | head -n 20 >&2 || true
  echo "ansible-test sanity fails on the collection installed from $(basename "$tarball") (log: $work/sanity.log)" >&2
  exit 1
fi
core=$("$python" -c 'import platform; from ansible.release import __version__ as v; print(v, "on Python", platform.python_version())')
echo "$(basename "$tarball"): $checked modules, filters, roles and playbooks read from the installed collection," \
  "ansible-test sanity (ansible-core $core) passed on it in $((SECONDS - started)) s"
