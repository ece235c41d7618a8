"""Refuse a collection tarball that would publish a secret.

    tarball_secrets.py TARBALL

Prints one sentence naming every file in the tarball that is or holds a secret, and exits 1; prints nothing and
exits 0 when there is none. galaxy.yml's build_ignore keeps what the lab, the scenarios and registry_pki generate
out of the tarball; this catches what it misses: a key under another name, a directory nobody thought of, a vars
file with a password typed into it.

A secret is: a key or keystore file (*.key, *.p12, *.pfx, *.jks); a password file (what ansible.builtin.password
writes, e.g. ci-password, and vault password files); an htpasswd file (by name or by its hashed entries); a private
key in any file (PEM, OpenSSH, PGP); Docker registry credentials (a config.json "auths" entry with an "auth");
a vault.yml that is not encrypted; in any YAML or JSON file, a variable named like a secret (..._password,
..._secret, ..._token, ...) set to a literal rather than a template. Vault-encrypted content (a file or a !vault
value) is refused too: the collection ships none (the example has vault.yml.example), so it is someone's secrets.
"""

import re
import sys
import tarfile
from pathlib import PurePosixPath

import yaml

KEY_SUFFIXES = (".key", ".p12", ".pfx", ".jks")
PASSWORD_NAME = re.compile(r"(password|\.pass)$|vault[-_.]?pass", re.IGNORECASE)
PRIVATE_KEY = re.compile(rb"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----")
# name:hash with a hash htpasswd writes: bcrypt, Apache MD5, SHA-1, crypt SHA-256/512.
HTPASSWD_ENTRY = re.compile(rb"^[^:\s#]+:(\$2[aby]\$\d\d\$|\$apr1\$|\{SHA\}|\$[56]\$)", re.MULTILINE)
DOCKER_AUTH = re.compile(rb'"auth"\s*:\s*"[A-Za-z0-9+/]{4,}={0,2}"')
VAULT_HEADER = b"$ANSIBLE_VAULT;"
SECRET_VARIABLE = re.compile(
    r"(^|_)(password|passwd|passphrase|secret|secret_key|access_key|token|private_key|api_key)$", re.IGNORECASE
)
VARS_DIRS = {"group_vars", "host_vars", "vars", "defaults"}


class _Vaulted:
    """A !vault value: encrypted, so never a leak."""


class _Loader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """SafeLoader that reads Ansible's tags (!vault, !unsafe) instead of failing on them."""


def _tagged(loader, suffix, node):
    if suffix == "vault":
        return _Vaulted()
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


_Loader.add_multi_constructor("!", _tagged)


def _secrets(data):
    """(name, how) of the variables in data that hold a secret: vault-encrypted, or named like a secret and set to a
    literal (a non-empty string that is not a template)."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, _Vaulted):
                found.append((str(key), "vault-encrypted"))
            elif (
                isinstance(key, str)
                and SECRET_VARIABLE.search(key)
                and isinstance(value, str)
                and value.strip()
                and "{{" not in value
                and "{%" not in value
            ):
                found.append((key, "in plain text"))
            else:
                found.extend(_secrets(value))
    elif isinstance(data, list):
        for item in data:
            found.extend(_secrets(item))
    return found


def _is_data_file(path):
    if path.suffix in (".yml", ".yaml", ".json"):
        return True
    # Ansible also reads group_vars/<group> and host_vars/<host> files without an extension.
    return path.suffix == "" and bool(VARS_DIRS & set(path.parts[:-1]))


def why_secret(name, content):
    """Why the file at name (a path inside the collection) with this content is a secret, or None."""
    path = PurePosixPath(name)
    base = path.name.lower()
    if base.endswith(KEY_SUFFIXES):
        return "a key file"
    if base == "htpasswd" or base.endswith(".htpasswd") or HTPASSWD_ENTRY.search(content):
        return "htpasswd entries"
    if PASSWORD_NAME.search(base):
        return "a password file"
    if PRIVATE_KEY.search(content):
        return "a private key"
    if content.startswith(VAULT_HEADER):
        return "a vault-encrypted file"
    if base in ("vault.yml", "vault.yaml"):
        return "a vault that is not encrypted"
    if b'"auths"' in content and DOCKER_AUTH.search(content):
        return "Docker registry credentials"
    if not _is_data_file(path):
        return None
    try:
        documents = list(yaml.load_all(content, Loader=_Loader))  # nosec: a safe loader
    except (yaml.YAMLError, TypeError, ValueError):
        return None  # not data this check can read; yamllint and sanity speak for its syntax
    names_by_how = {}
    for document in documents:
        for name, how in _secrets(document):
            names_by_how.setdefault(how, set()).add(name)
    return " and ".join(f"{', '.join(sorted(names_by_how[how]))} {how}" for how in sorted(names_by_how)) or None


def leaks(tarball):
    """(path, reason) for every regular file of the tarball that is a secret, in tarball order."""
    found = []
    with tarfile.open(tarball) as archive:
        for member in archive:
            if not member.isfile():
                continue
            with archive.extractfile(member) as handle:
                reason = why_secret(member.name, handle.read())
            if reason:
                found.append((member.name, reason))
    return found


def refusal(tarball, found):
    """The one sentence that refuses the tarball."""
    files = ", ".join(f"{name} ({reason})" for name, reason in found)
    many = len(found) > 1
    return (
        f"{PurePosixPath(tarball).name} would publish {len(found)} secret{'s' if many else ''}: {files}; "
        f"move {'them' if many else 'it'} out of this tree, or add what a run generates to build_ignore in galaxy.yml."
    )


def main(argv):
    if len(argv) != 2:
        print("usage: tarball_secrets.py TARBALL", file=sys.stderr)
        return 2
    found = leaks(argv[1])
    if found:
        print(refusal(argv[1], found), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
