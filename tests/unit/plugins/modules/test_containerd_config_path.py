# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""containerd_config_path against real files: Debian's config.toml (docker.io's containerd 1.6/1.7), a missing file,
a value already set, containerd 2.x, and files it must refuse to rewrite. Each change runs check, apply, apply."""

import os
import tomllib

import pytest

from ansible_collections.wharf.registry.plugins.modules.containerd_config_path import main

# /etc/containerd/config.toml as Debian 12's and 13's containerd package ship it.
DEBIAN = """version = 2

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "/etc/cni/net.d"
  [plugins."io.containerd.internal.v1.opt"]
    path = "/var/lib/containerd/opt"
"""
CERTS = "/etc/containerd/certs.d"


@pytest.fixture
def config(tmp_path):
    return tmp_path / "etc" / "containerd" / "config.toml"


def converge(run_module, path, text=None, mode=0o640, config_path=CERTS):
    """Check, apply, apply again; returns the first apply's result and the file's text."""
    if text is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.chmod(path, mode)
    params = {"path": str(path), "config_path": config_path}
    check = run_module(main, params, check_mode=True, diff=True)
    assert path.exists() == (text is not None) and (text is None or path.read_text(encoding="utf-8") == text)
    applied = run_module(main, params, diff=True)
    assert check.result == applied.result and not applied.failed
    again = run_module(main, params)
    assert not again.result["changed"] and again.result["config_path"] == applied.result["config_path"]
    return applied.result, path.read_text(encoding="utf-8")


def test_debian_file_gains_one_table_and_keeps_the_rest(run_module, config):
    result, text = converge(run_module, config, DEBIAN)
    assert result["changed"] and result["config_path"] == CERTS
    assert text.startswith(DEBIAN)
    assert tomllib.loads(text)["plugins"]["io.containerd.grpc.v1.cri"] == {
        "cni": {"bin_dir": "/usr/lib/cni", "conf_dir": "/etc/cni/net.d"},
        "registry": {"config_path": CERTS},
    }
    assert result["diff"]["before"] == DEBIAN and result["diff"]["after"] == text
    assert os.stat(config).st_mode & 0o777 == 0o640


def test_existing_registry_table_gets_the_line_under_its_header(run_module, config):
    before = (
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]  # ours\n'
        '  [plugins."io.containerd.grpc.v1.cri".registry.mirrors]\n'
    )
    result, text = converge(run_module, config, before, config_path='/srv/hosts "x"')
    assert text == (
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]  # ours\n'
        '  config_path = "/srv/hosts \\"x\\""\n  [plugins."io.containerd.grpc.v1.cri".registry.mirrors]\n'
    )
    assert result["config_path"] == '/srv/hosts "x"'


def test_version_1_file_uses_the_cri_plugin_name(run_module, config):
    text = converge(run_module, config, '[plugins.cri]\n  sandbox_image = "pause"\n')[1]
    assert tomllib.loads(text)["plugins"]["cri"] == {"sandbox_image": "pause", "registry": {"config_path": CERTS}}


def test_missing_file_is_created(run_module, config):
    result, text = converge(run_module, config)
    assert result["changed"] and tomllib.loads(text) == {
        "version": 2,
        "plugins": {"io.containerd.grpc.v1.cri": {"registry": {"config_path": CERTS}}},
    }
    assert os.stat(config).st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    "text, current",
    [
        (DEBIAN + '\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/opt/certs"\n', "/opt/certs"),
        ("version = 3\n", CERTS),
        ('version = 3\n[plugins."io.containerd.cri.v1.images".registry]\nconfig_path = "/x"\n', "/x"),
    ],
)
def test_a_set_or_default_path_is_kept(run_module, config, text, current):
    result, after = converge(run_module, config, text)
    assert not result["changed"] and result["config_path"] == current and after == text


@pytest.mark.parametrize(
    "text, message",
    [
        ('version = 2\nplugins."io.containerd.grpc.v1.cri".registry = {mirrors = {}}\n', "cannot extend"),
        ("version = [\n", "is not valid TOML"),
    ],
)
def test_refuses_what_it_cannot_extend_and_changes_nothing(run_module, config, text, message):
    config.parent.mkdir(parents=True)
    config.write_text(text, encoding="utf-8")
    done = run_module(main, {"path": str(config)})
    assert done.failed and message in done.result["msg"] and config.read_text(encoding="utf-8") == text
