"""registry_retention against a real registry: the lab's registry 3.1.2 image with deletes enabled and htpasswd
auth, 60 `ci-<n>` tags and 5 semver tags in one repository, policy "keep the 10 most recent ci-* and every semver
tag". The module runs through `ansible` (the collection as users get it, via ANSIBLE_COLLECTIONS_PATH): a dry run
and a check-mode run change nothing and list 50 tags; then through the wharf.registry.retention playbook, with an
inventory whose balancer is this registry: the real run leaves exactly 15 tags (deleted manifests 404, the shared
layer 200), a second run changes nothing.

Needs a Docker engine, the image from `make images`, and the collection linked by `make collection`.
"""

import base64
import concurrent.futures
import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml
from passlib.hash import bcrypt

TOP = Path(__file__).resolve().parents[2]
IMAGE = yaml.safe_load((TOP / "images" / "images.yml").read_text())["lab_images"]["registry_3"]["tag"]
REPOSITORY = "wharf-it/app"
USER, PASSWORD = "ci", "retention-" + uuid.uuid4().hex[:12]
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
SEMVER = ["1.0.0", "1.1.0", "1.2.0", "v2.0.0", "v2.0.1"]
POLICY = [{"repositories": "wharf-it/.*", "tag_pattern": "ci-.*", "keep_last": 10, "keep_tags": r"v?\d+\.\d+\.\d+"}]


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Registry:
    def __init__(self, base):
        self.base = base
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        self.auth = {"Authorization": f"Basic {token}"}

    def request(self, method, path, data=None, headers=None):
        req = urllib.request.Request(
            self.base + path, data=data, method=method, headers={**self.auth, **(headers or {})}
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def blob(self, data):
        """An upload in two requests: a session, then the bytes with their digest."""
        req = urllib.request.Request(self.base + f"/v2/{REPOSITORY}/blobs/uploads/", method="POST", headers=self.auth)
        with urllib.request.urlopen(req, timeout=10) as resp:
            location = resp.headers["Location"]
        target = location if "://" in location else self.base + location
        req = urllib.request.Request(
            f"{target}{'&' if '?' in target else '?'}digest={digest(data)}",
            data=data,
            method="PUT",
            headers={**self.auth, "Content-Type": "application/octet-stream"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 201
        return {"digest": digest(data), "size": len(data)}

    def image(self, tag, created, shared):
        config = json.dumps(
            {"architecture": "amd64", "os": "linux", "created": created, "rootfs": {"type": "layers"}, "tag": tag}
        ).encode()
        own = self.blob(f"own layer of {tag}\n".encode() * 40)
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, **self.blob(config)},
            "layers": [{"mediaType": OCI_LAYER, **shared}, {"mediaType": OCI_LAYER, **own}],
        }
        body = json.dumps(manifest).encode()
        status, dummy = self.request("PUT", f"/v2/{REPOSITORY}/manifests/{tag}", body, {"Content-Type": OCI_MANIFEST})
        assert status == 201
        return digest(body)

    def tags(self):
        status, body = self.request("GET", f"/v2/{REPOSITORY}/tags/list?n=1000")
        assert status == 200
        return sorted(json.loads(body)["tags"] or [])


@pytest.fixture(name="registry")
def fixture_registry(tmp_path):
    """A registry with deletes and htpasswd auth on a loopback port, removed afterwards whatever happened."""
    (tmp_path / "htpasswd").write_text(f"{USER}:{bcrypt.using(rounds=4).hash(PASSWORD)}\n")
    os.chmod(tmp_path / "htpasswd", 0o644)
    name = f"wharf-it-retention-{uuid.uuid4().hex[:8]}"
    try:
        subprocess.run(
            [
                "docker",
                "run",
                "-d",
                "--name",
                name,
                "-p",
                "127.0.0.1::5000",
                "-v",
                f"{tmp_path / 'htpasswd'}:/auth/htpasswd:ro",
                "-e",
                "REGISTRY_STORAGE_DELETE_ENABLED=true",
                "-e",
                "REGISTRY_AUTH=htpasswd",
                "-e",
                "REGISTRY_AUTH_HTPASSWD_REALM=wharf-it",
                "-e",
                "REGISTRY_AUTH_HTPASSWD_PATH=/auth/htpasswd",
                IMAGE,
            ],  # fmt: skip
            check=True,
            capture_output=True,
        )
        port = (
            subprocess.run(["docker", "port", name, "5000/tcp"], check=True, capture_output=True, text=True)
            .stdout.splitlines()[0]
            .rsplit(":", 1)[1]
        )
        registry = Registry(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 30
        while True:
            try:
                if registry.request("GET", "/v2/")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert time.monotonic() < deadline, f"{IMAGE} did not answer /v2/ within 30 s"
            time.sleep(0.2)
        yield registry
    finally:
        subprocess.run(["docker", "rm", "-f", "-v", name], capture_output=True, check=False)


def retention(registry, check=False, **params):
    """One run of the module through `ansible localhost`; its result."""
    args = {"url": registry.base, "username": USER, "password": PASSWORD, "policies": POLICY, "page_size": 10}
    args.update(params)
    env = dict(os.environ, ANSIBLE_LOAD_CALLBACK_PLUGINS="true", ANSIBLE_STDOUT_CALLBACK="json")
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(TOP / ".build" / "collections"))
    done = subprocess.run(
        ["ansible", "localhost", "-c", "local", "-m", "wharf.registry.registry_retention", "-a", json.dumps(args)]
        + (["--check"] if check else []),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    try:
        result = json.loads(done.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError):
        pytest.fail(f"ansible gave no result (rc {done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")
    assert PASSWORD not in done.stdout
    return result


def retention_playbook(registry, tmp_path, delete):
    """One run of the wharf.registry.retention playbook: an inventory whose balancer is this registry (plain HTTP,
    writer ci) and whose first client is localhost; the module's result."""
    address = registry.base.split("://", 1)[1]
    inventory = {
        "all": {
            "vars": {"wharf_registry": address, "registry_pki_certificates": []},
            "children": {
                "registry_clients": {
                    "hosts": {
                        "localhost": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
                    }
                },
                "registry_lb": {"hosts": {"lb": {"registry_lb_mode": "http", "registry_lb_writers": [USER]}}},
                "registry_servers": {
                    "hosts": {"replica": {"registry_server_users": [{"name": USER, "password": PASSWORD}]}}
                },
            },
        }
    }
    (tmp_path / "hosts.yml").write_text(json.dumps(inventory))
    (tmp_path / "rules.json").write_text(json.dumps({"wharf_retention_policies": POLICY}))
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="json")
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(TOP / ".build" / "collections"))
    done = subprocess.run(
        ["ansible-playbook", "-i", str(tmp_path / "hosts.yml"), "wharf.registry.retention"]
        + ["-e", f"@{tmp_path / 'rules.json'}", "-e", f"wharf_retention_delete={str(delete).lower()}"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert PASSWORD not in done.stdout
    assert done.returncode == 0, f"{done.stdout[-3000:]} {done.stderr[-2000:]}"
    tasks = [task for play in json.loads(done.stdout)["plays"] for task in play["tasks"]]
    return next(t["hosts"]["localhost"] for t in tasks if t["task"]["name"] == "Apply the retention rules")


def test_keep_the_ten_most_recent_ci_tags_and_every_semver_tag(registry, tmp_path):
    shared = registry.blob(b"a layer every image shares\n" * 200)
    # Releases are older than every CI build: only keep_tags can keep them.
    images = [(tag, f"2026-01-0{number + 1}T00:00:00Z") for number, tag in enumerate(SEMVER)]
    images += [(f"ci-{n}", f"2026-06-01T{n // 60:02d}:{n % 60:02d}:00.{n:09d}Z") for n in range(1, 61)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        digests = dict(
            zip([image[0] for image in images], pool.map(lambda i: registry.image(*i, shared), images), strict=True)
        )
    everything = sorted(digests)
    kept = sorted([f"ci-{n}" for n in range(51, 61)] + SEMVER)
    doomed = [f"ci-{n}" for n in range(50, 0, -1)]
    assert registry.tags() == everything

    dry = retention(registry)
    assert not dry.get("failed") and not dry["changed"] and not dry["deleted"], dry
    [plan] = dry["repositories"]
    assert plan["tags_deleted"] == doomed and sorted(plan["kept_tags"]) == kept
    assert plan["digests_deleted"] == [digests[tag] for tag in doomed]
    assert plan["bytes"] > 0 and dry["tags_deleted"] == 50
    check = retention(registry, check=True, delete=True)
    assert check["changed"] and not check["deleted"] and check["repositories"] == dry["repositories"]
    assert registry.tags() == everything

    # The real run and the one after it through the playbook, as operators run it.
    real = retention_playbook(registry, tmp_path, delete=True)
    assert real["changed"] and real["deleted"] and real["repositories"] == dry["repositories"], real
    assert registry.tags() == kept
    for tag in doomed:
        assert (
            registry.request("GET", f"/v2/{REPOSITORY}/manifests/{digests[tag]}", None, {"Accept": OCI_MANIFEST})[0]
            == 404
        )
    for tag in kept:
        assert registry.request("GET", f"/v2/{REPOSITORY}/manifests/{tag}", None, {"Accept": OCI_MANIFEST})[0] == 200
    assert registry.request("GET", f"/v2/{REPOSITORY}/blobs/{shared['digest']}")[0] == 200

    again = retention_playbook(registry, tmp_path, delete=True)
    assert not again["changed"] and again["tags_deleted"] == 0 and sorted(again["repositories"][0]["kept_tags"]) == kept
