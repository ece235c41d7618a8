# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The storage hand-off is defined once (HANDOFF): built, completed and checked by these filters, and the roles'
argument spec and settings map name exactly its keys."""

import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.wharf.registry.plugins.filter.registry_storage import (
    HANDOFF,
    FilterModule,
    registry_storage_handoff,
    registry_storage_problem,
    rgw_name_problem,
)

ROLES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles")
SECRET = "s3cr$t ~ % 'q' \"d\" Ü"


def load(path):
    with open(os.path.join(ROLES, path)) as stream:
        return yaml.safe_load(stream)


def test_s3_by_hand_gets_the_defaults_in_config_order():
    handoff = registry_storage_handoff(
        {"backend": "s3", "bucket": "registry", "endpoint": "http://rgw:7480", "access_key": "AK", "secret_key": SECRET}
    )
    assert list(handoff.items()) == [
        ("backend", "s3"),
        ("endpoint", "http://rgw:7480"),
        ("region", "default"),
        ("bucket", "registry"),
        ("access_key", "AK"),
        ("secret_key", SECRET),
        ("validate_certs", True),
        ("ca_cert", ""),
        ("rootdirectory", ""),
    ]


def test_swift_keeps_its_own_keys_and_drops_the_other_backends():
    settings = {
        "backend": "swift",
        "auth_url": "https://rgw/auth/v1",
        "auth_version": "1",
        "username": "u:s",
        "password": SECRET,
        "container": "c",
        "validate_certs": "no",
        "bucket": "b",
        "access_key": "AK",
    }
    assert registry_storage_handoff(settings) == {
        "backend": "swift",
        "auth_url": "https://rgw/auth/v1",
        "auth_version": 1,
        "username": "u:s",
        "password": SECRET,
        "container": "c",
        "validate_certs": False,
    }


def test_null_means_not_given_and_a_missing_required_key_is_empty():
    handoff = registry_storage_handoff({"backend": "s3", "region": None, "validate_certs": None, "bucket": None})
    assert handoff["region"] == "default"
    assert handoff["validate_certs"] is True
    assert handoff["bucket"] == handoff["endpoint"] == ""


def test_completing_a_complete_hand_off_changes_nothing():
    for backend in HANDOFF:
        once = registry_storage_handoff({"backend": backend, "auth_url": "http://x/auth/v1", "endpoint": "http://x"})
        assert registry_storage_handoff(once) == once


def test_filesystem_nothing_and_unknown_backends():
    assert registry_storage_handoff({"backend": "filesystem", "bucket": "b"}) == {"backend": "filesystem"}
    for nothing in ({}, None, "", {"backend": ""}, {"bucket": "b"}):
        assert registry_storage_handoff(nothing) == {}
    assert registry_storage_handoff({"backend": "gcs", "bucket": "b"}) == {"backend": "gcs"}


def test_values_of_the_wrong_type_fail_with_one_sentence():
    with pytest.raises(AnsibleFilterError, match=r"needs validate_certs to be a boolean, not 'maybe'\."):
        registry_storage_handoff({"backend": "s3", "validate_certs": "maybe"})
    with pytest.raises(AnsibleFilterError, match=r"needs auth_version to be a number, not 'v1'\."):
        registry_storage_handoff({"backend": "swift", "auth_version": "v1"})


def test_a_complete_hand_off_has_no_problem():
    assert registry_storage_problem({"backend": "filesystem"}) == ""
    assert (
        registry_storage_problem(
            registry_storage_handoff(
                {
                    "backend": "swift",
                    "auth_url": "http://rgw:7480/auth/v1",
                    "username": "u:s",
                    "password": "p",
                    "container": "c",
                }
            )
        )
        == ""
    )


def test_missing_settings_are_named_in_the_hand_offs_order():
    handoff = registry_storage_handoff({"backend": "s3", "endpoint": "http://rgw", "access_key": "AK"})
    assert registry_storage_problem(handoff) == "with backend s3 needs bucket, secret_key"


def test_a_url_without_a_scheme_is_named_with_the_missing_settings():
    handoff = registry_storage_handoff(
        {"backend": "swift", "auth_url": "rgw:7480/auth/v1", "username": "u:s", "password": "p"}
    )
    assert registry_storage_problem(handoff) == (
        "with backend swift needs container and needs an http:// or https:// URL in auth_url, not 'rgw:7480/auth/v1'"
    )


def test_no_or_an_unknown_backend_is_a_problem():
    assert registry_storage_problem({}) == "names no backend (filesystem, swift or s3)"
    assert registry_storage_problem(None) == "names no backend (filesystem, swift or s3)"
    assert registry_storage_problem({"backend": "gcs"}) == "has backend 'gcs', which is none of filesystem, swift or s3"


def test_registry_servers_argument_spec_documents_exactly_the_hand_off():
    spec = load("registry_server/meta/argument_specs.yml")["argument_specs"]["main"]["options"]
    options = spec["registry_server_storage"]["options"]
    assert options["backend"]["choices"] == list(HANDOFF)
    keys = {key: default for backend in HANDOFF.values() for key, default in backend.items()}
    assert set(options) - {"backend"} == set(keys)
    for key, default in keys.items():
        assert options[key].get("default") == default, key


def test_registry_storage_settings_hold_every_key_of_every_backend():
    settings = load("registry_storage/vars/main.yml")["_registry_storage_settings"]
    assert set(settings) == {"backend"} | {key for backend in HANDOFF.values() for key in backend}


def test_rgw_names_follow_the_modules_rule():
    assert rgw_name_problem("registry") == ""
    assert rgw_name_problem("registry:swift") == "must not contain ':' (it joins uid and subuser) or control characters"
    assert rgw_name_problem("a\tb").startswith("must not contain ':'")
    for bad in ("", " registry", None):
        assert rgw_name_problem(bad) == "must be non-empty and must not start or end with white space"


def test_the_filters_are_registered_under_their_names():
    assert set(FilterModule().filters()) == {"registry_storage_handoff", "registry_storage_problem", "rgw_name_problem"}


def test_an_s3_root_directory_is_an_absolute_path():
    handoff = registry_storage_handoff(
        {
            "backend": "s3",
            "bucket": "b",
            "endpoint": "http://rgw",
            "access_key": "AK",
            "secret_key": SECRET,
            "rootdirectory": "/files",
        }
    )
    assert handoff["rootdirectory"] == "/files"
    assert registry_storage_problem(handoff) == ""
    for bad in ("files", "/files/", "//files", "/a b", "/"):
        handoff["rootdirectory"] = bad
        assert registry_storage_problem(handoff) == (
            "with backend s3 needs rootdirectory to be empty or an absolute path such as /files, not %r" % bad
        )
