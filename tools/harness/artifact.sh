#!/usr/bin/env bash
# Test the collection as users get it: build the tarball, install it into an empty collections path, and read
# every module, filter and role from there with ansible-doc and every shipped playbook by its FQCN with
# --syntax-check. What ships is galaxy.yml's business (build_ignore): the lab playbooks and inventory stay out,
# because they need images/images.yml and the lab images, which are not shipped.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/.build/artifact
rm -rf "$work"
mkdir -p "$work/dist" "$work/collections"
cd "$top"
ansible-galaxy collection build --output-path "$work/dist" . >/dev/null
tarball=$(ls "$work"/dist/wharf-registry-*.tar.gz)

# Never a secret in a release: no private key (by name or by content), no password file, no vault.yml that is not
# encrypted. galaxy.yml's build_ignore keeps what the lab, the example inventory and registry_pki generate out; this
# catches what it misses (a key under another name, a directory nobody thought of).
mkdir -p "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
leaks=0
while IFS= read -r -d '' member; do
  file=${member#"$work/unpacked/"}
  name=$(basename "$file")
  why=
  case "$name" in
    *.key) why="a key file" ;;
    *[Pp]assword) why="a password file" ;;
    vault.yml | vault.yaml)
      first=
      read -r first <"$member" || true
      case "$first" in
        "\$ANSIBLE_VAULT;"*) ;;
        *) why="a vault that is not encrypted (no \$ANSIBLE_VAULT header)" ;;
      esac ;;
  esac
  if [ -z "$why" ] && grep -qE -- '-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----' "$member"; then
    why="a file with a private key in it"
  fi
  if [ -n "$why" ]; then
    echo "$(basename "$tarball") packs $file, $why: remove it from the tree or add it to build_ignore in galaxy.yml." >&2
    leaks=$((leaks + 1))
  fi
done < <(find "$work/unpacked" -type f -print0)
[ "$leaks" -eq 0 ] || exit 1

# Only the installed copy, not this work tree (which make links into ANSIBLE_COLLECTIONS_PATH, and which the
# installer would take for the collection already installed); its dependencies come with the ansible package.
export ANSIBLE_COLLECTIONS_PATH=$work/collections
# --offline: Galaxy is unreachable.
ansible-galaxy collection install --offline --no-deps -p "$work/collections" "$tarball" >/dev/null
installed=$work/collections/ansible_collections/wharf/registry

shipped=$(tar -tzf "$tarball")
for unwanted in playbooks/lab.yml inventories/lab/ images/ molecule/ tests/ tools/; do
  if grep -q "^$unwanted" <<<"$shipped"; then
    echo "$tarball ships $unwanted, which users cannot run without this repository" >&2
    exit 1
  fi
done

checked=0
for module in "$installed"/plugins/modules/*.py; do
  ansible-doc -t module "wharf.registry.$(basename "$module" .py)" >/dev/null
  checked=$((checked + 1))
done
for role in "$installed"/roles/*/; do
  ansible-doc -t role "wharf.registry.$(basename "$role")" >/dev/null
  checked=$((checked + 1))
done
# Filters have no documentation pages yet; listing them proves they load from the installed collection.
filters=$(ansible-doc -t filter -l wharf.registry | grep -c '^wharf\.registry\.')
[ "$filters" -gt 0 ] || { echo "No filter of wharf.registry loads from $installed" >&2; exit 1; }
for playbook in "$installed"/playbooks/*.yml; do
  ANSIBLE_HOST_PATTERN_MISMATCH=ignore ansible-playbook --syntax-check -i localhost, \
    "wharf.registry.$(basename "$playbook" .yml)" >/dev/null
  checked=$((checked + 1))
done
echo "$(basename "$tarball"): $checked modules, roles and playbooks read from the installed collection ($filters filters listed)"
