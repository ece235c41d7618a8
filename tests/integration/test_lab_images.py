"""The lab images are real and shaped like the official ones: every registry image stores a pushed image and
serves it back with the same digest, and the systemd images (bare and prepared) boot with the options every lab
and molecule host runs with.

Needs a Docker engine and the images from `make images` (the Makefile's integration target builds them first).
"""

import json
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parents[2]
MANIFEST = yaml.safe_load((TOP / "images" / "images.yml").read_text())
LAB_IMAGES = MANIFEST["lab_images"]
REGISTRIES = {name: spec for name, spec in LAB_IMAGES.items() if name.startswith("registry_")}
# The bare systemd images and those prepared from them with a role's packages installed.
SYSTEMD_HOSTS = {
    name: spec for name, spec in LAB_IMAGES.items() if name.endswith("_systemd") or spec.get("context") == "prepared"
}


def docker(*args, **kwargs):
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True, **kwargs).stdout.strip()


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError):
        return None


def wait_for(condition, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"{what} did not happen within {seconds} s")


@pytest.fixture(name="container")
def fixture_container():
    """Run a container for one test and remove it afterwards, whatever happened."""
    started = []

    def start(*args):
        name = f"wharf-test-{uuid.uuid4().hex[:8]}"
        docker("run", "-d", "--name", name, *args)
        started.append(name)
        return name

    yield start
    for name in started:
        subprocess.run(["docker", "rm", "-f", "-v", name], capture_output=True, check=False)


@pytest.fixture(name="unique_image")
def fixture_unique_image(tmp_path):
    """An image built here from scratch, so the push carries content no registry has seen."""
    (tmp_path / "payload").write_text(uuid.uuid4().hex)
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY payload /payload\n")
    tag = f"wharf-test/proof:{uuid.uuid4().hex[:8]}"
    docker("build", "-q", "-t", tag, str(tmp_path))
    yield tag
    subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, check=False)


@pytest.mark.parametrize("name", sorted(REGISTRIES))
def test_registry_image_round_trip(name, container, unique_image):
    spec = REGISTRIES[name]
    version = spec["args"]["REGISTRY_VERSION"]
    registry = container("-p", "127.0.0.1::5000", spec["tag"])
    port = docker("port", registry, "5000/tcp").splitlines()[0].rsplit(":", 1)[1]
    address = f"127.0.0.1:{port}"

    wait_for(lambda: http_status(f"http://{address}/v2/") == 200, f"{spec['tag']} answering /v2/ with 200")
    assert version in docker("exec", registry, "registry", "--version")

    remote = f"{address}/wharf-proof/{name}:{unique_image.rsplit(':', 1)[1]}"
    docker("tag", unique_image, remote)
    docker("push", remote)
    pushed = json.loads(docker("image", "inspect", remote))[0]["RepoDigests"]
    pushed_digest = next(d.split("@", 1)[1] for d in pushed if d.startswith(f"{address}/"))

    docker("rmi", remote, unique_image)
    docker("pull", remote)
    pulled = json.loads(docker("image", "inspect", remote))[0]["RepoDigests"]
    assert f"{address}/wharf-proof/{name}@{pushed_digest}" in pulled
    docker("rmi", remote)

    # A second, independent client sees the same manifest digest.
    inspected = json.loads(
        subprocess.run(
            ["skopeo", "inspect", "--tls-verify=false", f"docker://{remote}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    assert inspected["Digest"] == pushed_digest

    # And the blobs really are in the image's filesystem storage.
    stored = docker("exec", registry, "ls", f"/var/lib/registry/docker/registry/v2/repositories/wharf-proof/{name}")
    assert "_manifests" in stored.split()


@pytest.mark.parametrize("name", sorted(SYSTEMD_HOSTS))
def test_systemd_image_boots_with_the_lab_host_options(name, container):
    spec = SYSTEMD_HOSTS[name]
    host = container(*MANIFEST["lab_host_options"], spec["tag"], "/lib/systemd/systemd")

    def booted():
        state = subprocess.run(
            ["docker", "exec", host, "systemctl", "is-system-running"], capture_output=True, text=True, check=False
        ).stdout.strip()
        return state in ("running", "degraded")

    wait_for(booted, f"systemd in {spec['tag']} finishing its boot")
    failed = docker("exec", host, "systemctl", "list-units", "--state=failed", "--no-legend", "--plain")
    assert failed == "", f"units failed in {spec['tag']}: {failed}"
    suite = spec["tag"].rsplit(":", 1)[1]
    assert f'VERSION_ID="{suite}"' in docker("exec", host, "cat", "/etc/os-release")
    assert docker("exec", host, "python3", "-c", "import apt; print('ok')") == "ok"
    packages = (spec.get("args") or {}).get("PACKAGES", "").split()
    if packages:
        states = docker("exec", host, "dpkg-query", "-W", "-f=${db:Status-Status}\\n", *packages).split()
        assert states == ["installed"] * len(packages), f"{spec['tag']}: {dict(zip(packages, states, strict=False))}"
