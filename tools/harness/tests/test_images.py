"""Unit tests of the image builder's decisions (which mirror, which order, when a rebuild is due) and of the
prepared images' recipes (they hold exactly what the roles would install)."""

import sys
from pathlib import Path

import pytest
import yaml
from jinja2.nativetypes import NativeEnvironment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import images  # noqa: E402  pylint: disable=wrong-import-position

DEB822 = """\
Types: deb
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
"""

MANIFEST = {
    "base": {"tag": "t/base:1", "debootstrap": "bookworm"},
    "child": {"tag": "t/child:1", "context": "child", "from": "base"},
    "other": {"tag": "t/other:1", "debootstrap": "trixie"},
}


@pytest.fixture(name="images_dir")
def fixture_images_dir(tmp_path):
    (tmp_path / "child").mkdir()
    (tmp_path / "child" / "Dockerfile").write_text("FROM x\n")
    return tmp_path


def test_mirror_from_deb822_skips_security(tmp_path, monkeypatch):
    monkeypatch.delenv("WHARF_DEBIAN_MIRROR", raising=False)
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(DEB822)
    assert images.debian_mirror(tmp_path) == "http://mirror.example/debian"


def test_mirror_from_legacy_sources_list(tmp_path, monkeypatch):
    monkeypatch.delenv("WHARF_DEBIAN_MIRROR", raising=False)
    (tmp_path / "sources.list").write_text(
        "# comment\ndeb http://security.example/debian-security bookworm-security main\n"
        "deb [arch=amd64] http://legacy.example/debian bookworm main\n"
    )
    assert images.debian_mirror(tmp_path) == "http://legacy.example/debian"


def test_mirror_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("WHARF_DEBIAN_MIRROR", "http://env.example/debian")
    assert images.debian_mirror(tmp_path) == "http://env.example/debian"


def test_no_mirror_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("WHARF_DEBIAN_MIRROR", raising=False)
    with pytest.raises(images.BuildError, match="WHARF_DEBIAN_MIRROR"):
        images.debian_mirror(tmp_path)


def test_parents_build_first_and_once():
    assert images.build_order(MANIFEST, ["child", "base", "other"]) == ["base", "child", "other"]


def test_unknown_image_is_named():
    with pytest.raises(images.BuildError, match="Unknown image nope"):
        images.build_order(MANIFEST, ["nope"])


def test_recipe_hash_is_stable(images_dir):
    assert images.recipe_hashes(MANIFEST, images_dir) == images.recipe_hashes(MANIFEST, images_dir)


def test_changed_context_rebuilds_only_that_image(images_dir):
    before = images.recipe_hashes(MANIFEST, images_dir)
    (images_dir / "child" / "Dockerfile").write_text("FROM y\n")
    after = images.recipe_hashes(MANIFEST, images_dir)
    assert after["child"] != before["child"]
    assert after["base"] == before["base"]


def test_changed_base_rebuilds_its_children(images_dir):
    before = images.recipe_hashes(MANIFEST, images_dir)
    changed = dict(MANIFEST, base={"tag": "t/base:1", "debootstrap": "trixie"})
    after = images.recipe_hashes(changed, images_dir)
    assert after["base"] != before["base"]
    assert after["child"] != before["child"]
    assert after["other"] == before["other"]


def test_dependency_cycle_is_refused(images_dir):
    cyclic = {"a": {"tag": "a", "context": "child", "from": "b"}, "b": {"tag": "b", "context": "child", "from": "a"}}
    with pytest.raises(images.BuildError, match="depends on itself"):
        images.recipe_hashes(cyclic, images_dir)


def test_env_lines_name_every_image():
    assert images.env_lines(MANIFEST) == [
        "export WHARF_IMAGE_BASE=t/base:1",
        "export WHARF_IMAGE_CHILD=t/child:1",
        "export WHARF_IMAGE_OTHER=t/other:1",
    ]


ROLES = Path(__file__).resolve().parents[3] / "roles"


def role_yaml(role, *path):
    return yaml.safe_load((ROLES / role / Path(*path)).read_text(encoding="utf-8"))


def apt_task(role, name):
    return next(task["ansible.builtin.apt"] for task in role_yaml(role, "tasks", "install.yml") if task["name"] == name)


def prepared(name):
    args = images.load_manifest()[name]["args"]
    return sorted(args["PACKAGES"].split()), args.get("RECOMMENDS", "true")


@pytest.mark.parametrize("release", ["12", "13"])
def test_prepared_docker_hosts_hold_what_docker_engine_installs(release):
    os_vars = role_yaml("docker_engine", "vars", f"Debian-{release}.yml")
    packages = os_vars["_docker_engine_distro_packages"] + [os_vars["_docker_engine_distro_compose_package"]]
    # The role leaves recommends to apt's default, which installs them.
    assert "install_recommends" not in apt_task("docker_engine", "Install the Docker packages")
    assert prepared(f"debian{release}_docker") == (sorted(filter(None, packages)), "true")


@pytest.mark.parametrize("release", ["12", "13"])
def test_prepared_ceph_hosts_hold_what_ceph_aio_installs(release):
    task = apt_task("ceph_aio", "Install Ceph from the distribution")
    role_vars = role_yaml("ceph_aio", "defaults", "main.yml") | role_yaml("ceph_aio", "vars", "main.yml")
    packages = NativeEnvironment().from_string(role_vars["_ceph_aio_packages"]).render(role_vars)
    assert prepared(f"debian{release}_ceph") == (sorted(packages), str(task["install_recommends"]).lower())
