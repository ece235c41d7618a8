"""Unit tests of the release's secret check: what it refuses, what it lets through, and its one sentence."""

import io
import sys
import tarfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tarball_secrets  # noqa: E402  pylint: disable=wrong-import-position

# Built from parts so that no scanner takes this file for a leaked key.
PEM = ("-----BEGIN " + "EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END " + "EC PRIVATE KEY-----\n").encode()
OPENSSH = ("-----BEGIN " + "OPENSSH PRIVATE KEY-----\nb3Blbn\n").encode()


def _tarball(tmp_path, files):
    path = tmp_path / "wharf-registry-1.0.0.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("inventories/example/pki/ca.key", b"", "a key file"),
        ("roles/registry_pki/files/client.p12", b"\x30\x82", "a key file"),
        ("inventories/example/ci-password", b"s3cr3t\n", "a password file"),
        ("inventories/example/.vault_pass", b"s3cr3t\n", "a password file"),
        ("roles/registry_server/files/htpasswd", b"", "htpasswd entries"),
        ("roles/registry_server/files/users", b"ci:$2y$05$abcdefghijklmnopqrstuv\n", "htpasswd entries"),
        ("roles/registry_server/files/tls.pem", PEM, "a private key"),
        ("docs/id_ed25519", OPENSSH, "a private key"),
        ("inventories/example/group_vars/all/vault.yml", b"vault_x: 1\n", "a vault that is not encrypted"),
        (
            "roles/registry_client/files/config.json",
            b'{"auths": {"r:5000": {"auth": "Y2k6czNjcjN0"}}}',
            "Docker registry credentials",
        ),
        (
            "inventories/example/group_vars/all/registry.yml",
            b"registry_server_http_secret: hunter2\n",
            "registry_server_http_secret in plain text",
        ),
        (
            "inventories/example/group_vars/all/registry.yml",
            b"registry_server_users:\n  - name: ci\n    password: hunter2\n",
            "password in plain text",
        ),
        (
            "inventories/example/host_vars/lb1",
            b"registry_lb_vrrp_password: abc\n",
            "registry_lb_vrrp_password in plain text",
        ),
        (
            "roles/registry_storage/defaults/main.yml",
            b"registry_storage_s3_secret_key: abc\nx_token: t\n",
            "registry_storage_s3_secret_key, x_token in plain text",
        ),
        (
            "inventories/example/group_vars/all/vault.yml",
            b"$ANSIBLE_VAULT;1.1;AES256\n6162\n",
            "a vault-encrypted file",
        ),
        (
            "inventories/example/group_vars/all/registry.yml",
            b"registry_x_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\nregistry_y_token: abc\n",
            "registry_y_token in plain text and registry_x_password vault-encrypted",
        ),
    ],
)
def test_refuses(name, content, reason):
    assert tarball_secrets.why_secret(name, content) == reason


@pytest.mark.parametrize(
    "name, content",
    [
        ("plugins/modules/htpasswd.py", b'DOCUMENTATION = "htpasswd users, bcrypt hashed"\n'),
        ("roles/registry_pki/defaults/main.yml", b'registry_pki_dir: "{{ inventory_dir }}/pki"\n'),
        ("roles/registry_cache/defaults/main.yml", b'registry_cache_password: ""\n'),
        ("roles/registry_storage/tasks/s3.yml", b"- x:\n    return_secrets: true\n"),
        ("roles/registry_cache/vars/main.yml", b"_registry_cache_password_file: /etc/redis/cache.password\n"),
        ("inventories/example/group_vars/all/registry.yml", b'registry_x_password: "{{ vault_x }}"\n'),
        ("inventories/example/group_vars/all/vault.yml.example", b"vault_registry_ci_password: CHANGE-ME\n"),
        ("roles/registry_pki/tasks/ca.yml", b"- name: CA\n  community.crypto.openssl_privatekey:\n"),
        ("roles/registry_lb/tasks/preflight.yml", b"msg: starts with -----BEGIN CERTIFICATE-----\n"),
        ("meta/runtime.yml", b"requires_ansible: '>=2.19.0'\n"),
        ("roles/x/defaults/main.yml", b"{{ not: yaml\n"),
    ],
)
def test_lets_through(name, content):
    assert tarball_secrets.why_secret(name, content) is None


def test_one_sentence_names_every_file(tmp_path, capsys):
    tarball = _tarball(
        tmp_path,
        {
            "README.md": b"# wharf.registry\n",
            "inventories/example/pki/ca.key": PEM,
            "roles/registry_lb/files/vrrp-password": b"abc\n",
        },
    )
    assert tarball_secrets.main(["tarball_secrets.py", str(tarball)]) == 1
    err = capsys.readouterr().err
    assert err == (
        "wharf-registry-1.0.0.tar.gz would publish 2 secrets: inventories/example/pki/ca.key (a key file), "
        "roles/registry_lb/files/vrrp-password (a password file); move them out of this tree, or add what a run "
        "generates to build_ignore in galaxy.yml.\n"
    )


def test_one_secret_is_it(tmp_path, capsys):
    tarball = _tarball(tmp_path, {"roles/registry_server/templates/planted.key": b"planted\n"})
    assert tarball_secrets.main(["tarball_secrets.py", str(tarball)]) == 1
    assert capsys.readouterr().err == (
        "wharf-registry-1.0.0.tar.gz would publish 1 secret: roles/registry_server/templates/planted.key (a key file); "
        "move it out of this tree, or add what a run generates to build_ignore in galaxy.yml.\n"
    )


def test_clean_tarball_is_silent(tmp_path, capsys):
    tarball = _tarball(tmp_path, {"README.md": b"# wharf.registry\n", "meta/runtime.yml": b"---\n"})
    assert tarball_secrets.main(["tarball_secrets.py", str(tarball)]) == 0
    assert capsys.readouterr() == ("", "")
