# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""htpasswd against real files and real bcrypt (passlib): a new file, a converged one, a changed password, a new
cost, users removed, hashes of other schemes, bad input. Each change runs check, apply, apply."""

import os

import pytest
from passlib.hash import bcrypt

from ansible_collections.wharf.registry.plugins.modules import htpasswd
from ansible_collections.wharf.registry.plugins.modules.htpasswd import main

TRICKY = "pa$$ ~ 'q' \"d\" Ü %s"


@pytest.fixture
def path(tmp_path):
    return tmp_path / "htpasswd"


def users_of(path):
    return dict(line.split(":", 1) for line in path.read_text(encoding="utf-8").splitlines())


def converge(run_module, path, users, cost=4):
    """Check, apply, apply again; returns the first apply's result."""
    before = path.read_text(encoding="utf-8") if path.exists() else None
    params = {"path": str(path), "users": users, "cost": cost}
    check = run_module(main, params, check_mode=True, diff=True)
    assert (path.read_text(encoding="utf-8") if path.exists() else None) == before
    applied = run_module(main, params, diff=True)
    assert not applied.failed and check.result == applied.result
    again = run_module(main, params)
    assert not again.result["changed"]
    return applied.result


def test_a_new_file_holds_the_users_hashed_at_the_cost_mode_0600(run_module, path):
    result = converge(run_module, path, [{"name": "ci", "password": TRICKY}, {"name": "pull", "password": "p"}], 5)
    assert result["changed"] and result["added"] == ["ci", "pull"] and result["rehashed"] == result["removed"] == []
    assert result["diff"] == {
        "before_header": str(path),
        "after_header": str(path),
        "before": "",
        "after": "ci\npull\n",
    }
    hashes = users_of(path)
    assert list(hashes) == ["ci", "pull"] and all(h.startswith("$2b$05$") for h in hashes.values())
    assert bcrypt.verify(TRICKY, hashes["ci"]) and not bcrypt.verify("pa$$", hashes["ci"])
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert TRICKY not in repr(result)


def test_a_new_password_or_cost_rehashes_only_whom_it_concerns(run_module, path):
    converge(run_module, path, [{"name": "ci", "password": "a"}, {"name": "pull", "password": "b"}])
    kept = users_of(path)["pull"]
    result = converge(run_module, path, [{"name": "ci", "password": "new"}, {"name": "pull", "password": "b"}])
    assert result["rehashed"] == ["ci"] and users_of(path)["pull"] == kept
    assert converge(run_module, path, [{"name": "ci", "password": "new"}, {"name": "pull", "password": "b"}], cost=5)[
        "rehashed"
    ] == ["ci", "pull"]
    assert all(h.startswith("$2b$05$") for h in users_of(path).values())


def test_unlisted_users_and_other_schemes_go(run_module, path):
    path.write_text("# kept by nobody\nold:$apr1$abc$def\nci:{SHA}x\n\n", encoding="utf-8")
    os.chmod(path, 0o640)
    result = converge(run_module, path, [{"name": "ci", "password": "c"}])
    assert result["removed"] == ["old"] and result["rehashed"] == ["ci"] and result["added"] == []
    assert result["diff"]["before"] == "old\nci\n" and list(users_of(path)) == ["ci"]
    assert os.stat(path).st_mode & 0o777 == 0o640


def test_no_users_and_no_file_writes_nothing(run_module, path):
    assert not converge(run_module, path, [])["changed"] and not path.exists()


def test_only_users_need_passlib(run_module, path, monkeypatch):
    # registry_server installs passlib only where it has users, and runs this module on every registry host.
    monkeypatch.setattr(htpasswd, "PASSLIB_ERROR", "ImportError: No module named passlib")
    assert not converge(run_module, path, [])["changed"] and not path.exists()
    result = run_module(main, {"path": str(path), "users": [{"name": "ci", "password": "c"}]})
    assert result.failed and "passlib" in result.result["msg"] and not path.exists()


@pytest.mark.parametrize(
    "users, cost, message",
    [
        (
            [{"name": "a:b", "password": "x"}],
            10,
            "User names must be non-empty and hold no colon or line break: 'a:b'.",
        ),
        ([{"name": "", "password": "x"}], 10, "User names must be non-empty and hold no colon or line break: ''."),
        (
            [{"name": "a", "password": "x"}, {"name": "a", "password": "y"}],
            10,
            "Each user is listed once, but a appear more than once.",
        ),
        ([{"name": "a", "password": "x"}], 3, "cost must be 4 to 31 (bcrypt), not 3."),
    ],
)
def test_bad_input_is_one_sentence_and_changes_nothing(run_module, path, users, cost, message):
    result = run_module(main, {"path": str(path), "users": users, "cost": cost})
    assert result.failed and result.result["msg"] == message and not path.exists()
