# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""registry_config_info's host side: one read of the deployment's files, with no PyYAML on the host. What the
action plugin makes of them (the documented results) is tested in tests/unit/plugins/action/."""

import builtins

import pytest

from ansible_collections.wharf.registry.plugins.modules.registry_config_info import main

CONFIG = 'version: 0.1\nstorage:\n  swift:\n    password: "sw1ft"\n'
COMPOSE = "services:\n  registry:\n    image: registry:2.8.3\n"


@pytest.fixture
def deployment(tmp_path):
    (tmp_path / "config.yml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "compose.yml").write_text(COMPOSE, encoding="utf-8")
    return tmp_path


@pytest.fixture
def no_yaml(monkeypatch):
    """The hosts have no PyYAML: importing it fails the test."""
    real_import = builtins.__import__

    def guarded(name, *args, **kwargs):
        assert name.split(".")[0] != "yaml", "the host side imported PyYAML"
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", guarded)


@pytest.mark.parametrize("check_mode", [True, False])
def test_reads_the_files_as_text_and_changes_nothing(run_module, deployment, no_yaml, check_mode):
    ran = run_module(main, {"config_dir": str(deployment) + "/"}, check_mode=check_mode)
    assert not ran.failed
    assert ran.result == {
        "changed": False,
        "config_dir": str(deployment),
        "tls_files": True,
        "config_path": str(deployment / "config.yml"),
        "compose_path": str(deployment / "compose.yml"),
        "storage_ca_path": str(deployment / "storage-ca.crt"),
        "config_text": CONFIG,
        "compose_text": COMPOSE,
        "storage_ca_text": None,
    }
    assert sorted(p.name for p in deployment.iterdir()) == ["compose.yml", "config.yml"]


def test_other_names_and_a_missing_directory(run_module, tmp_path):
    ran = run_module(
        main,
        {"config_dir": str(tmp_path / "none"), "config_file": "r.yml", "compose_file": "c.yml", "tls_files": False},
    )
    assert not ran.failed and ran.result["config_path"] == str(tmp_path / "none" / "r.yml")
    assert (ran.result["config_text"], ran.result["compose_text"], ran.result["tls_files"]) == (None, None, False)


@pytest.mark.parametrize("missing", ["config", "compose"])
def test_must_exist_fails_as_slurp_did(run_module, deployment, missing):
    (deployment / ("%s.yml" % missing)).unlink()
    ran = run_module(main, {"config_dir": str(deployment), "must_exist": ["config", "compose"]})
    assert ran.failed and ran.result["msg"] == "file not found: %s" % (deployment / ("%s.yml" % missing))
    assert not run_module(main, {"config_dir": str(deployment), "must_exist": []}).failed


def test_a_directory_in_place_of_config_fails_in_one_sentence(run_module, tmp_path):
    (tmp_path / "config.yml").mkdir()
    ran = run_module(main, {"config_dir": str(tmp_path)})
    assert ran.failed and ran.result["msg"] == "%s is a directory, not a file." % (tmp_path / "config.yml")


def test_an_unknown_must_exist_is_refused(run_module, deployment):
    ran = run_module(main, {"config_dir": str(deployment), "must_exist": ["htpasswd"]})
    assert ran.failed and "must_exist" in ran.result["msg"]
