# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The readers of a deployed config.yml and compose.yml, shared by the registry_config_* filters and the
registry_config_info module: one definition of the hand-off shapes, empty answers for what they cannot read."""

import pytest
import yaml

from ansible_collections.wharf.registry.plugins.module_utils import _registry_config as rc


def test_ca_cert_is_kept_for_s3_and_dropped_where_the_backend_has_none():
    s3 = {"storage": {"s3": {"regionendpoint": "https://rgw", "bucket": "b", "accesskey": "a", "secretkey": "s"}}}
    assert rc.config_storage(s3, "PEM")["ca_cert"] == "PEM"
    assert rc.config_storage(s3)["ca_cert"] == ""
    swift = {"storage": {"swift": {"authurl": "https://rgw/auth/v1", "authversion": 1}}}
    assert "ca_cert" not in rc.config_storage(swift, "PEM")
    assert rc.config_storage({"storage": {"filesystem": {}}}, "PEM") == {"backend": "filesystem"}


@pytest.mark.parametrize("config", [None, "", [], {"storage": None}, {"storage": {"inmemory": {}}}])
def test_unknown_storage_is_empty(config):
    assert rc.config_storage(config, "PEM") == {}
    assert rc.config_redis(config) == {}
    assert rc.config_http(config) == {}
    assert rc.config_proxy(config) == (False, "")
    assert rc.config_readonly(config) is False
    assert rc.config_tls(config) == {
        "enabled": False,
        "scheme": "http",
        "client_auth": False,
        "certificate": "",
        "key": "",
        "clientcas": [],
    }


def test_a_wrongly_typed_value_is_one_sentence():
    with pytest.raises(rc.HandoffError, match=r"^The storage hand-off needs auth_version to be a number, not 'x'\.$"):
        rc.config_storage({"storage": {"swift": {"authversion": "x"}}})


def test_http_loses_its_secret_and_keeps_the_rest():
    config = yaml.safe_load('http:\n  addr: ":5000"\n  secret: "s3cr$t"\n  headers: {X-A: [b]}\n')
    assert rc.config_http(config) == {"addr": ":5000", "headers": {"X-A": ["b"]}}


def test_tls_with_client_cas_in_either_spelling():
    config = {"http": {"tls": {"certificate": "/c", "key": "/k", "clientcas": ["/ca1", "/ca2"]}}}
    assert rc.config_tls(config) == {
        "enabled": True,
        "scheme": "https",
        "client_auth": True,
        "certificate": "/c",
        "key": "/k",
        "clientcas": ["/ca1", "/ca2"],
    }
    assert rc.config_tls({"http": {"tls": {"clientcas": "/ca"}}})["clientcas"] == ["/ca"]
    # An http.tls that names nothing still means HTTPS to the registry: the section's presence decides.
    assert rc.config_tls({"http": {"tls": None}})["scheme"] == "https"


@pytest.mark.parametrize(
    "image, major",
    [
        ("registry:2.8.3", 2),
        ("registry.lab:5000/wharf/registry:3.0.0-rc.1@sha256:ab", 3),
        ("registry:v2", 2),
        ("localhost:5000/registry", 0),
    ],
)
def test_major_version_from_the_image_tag(image, major):
    assert rc.compose_major({"services": {"registry": {"image": image}}}) == major


@pytest.mark.parametrize("target, major", [("/etc/docker/registry/config.yml", 2), ("/etc/distribution/config.yml", 3)])
def test_major_version_from_where_config_is_mounted_when_the_tag_does_not_say(target, major):
    compose = {"services": {"registry": {"image": "registry:latest", "volumes": ["/d/config.yml:%s:ro" % target]}}}
    assert rc.compose_major(compose) == major


def test_mounts_in_both_forms_and_relative_sources():
    compose = {
        "services": {
            "registry": {
                "volumes": [
                    "/etc/wharf/registry/tls:/etc/wharf/tls:ro",
                    "./storage-ca.crt:/etc/ssl/certs/wharf-storage-ca.crt:ro",
                    {"type": "bind", "source": "/srv/data", "target": "/var/lib/registry/"},
                    {"type": "volume", "source": "named", "target": "/x"},
                    "anonymous",
                ]
            }
        }
    }
    mounts = rc.compose_mounts(compose, "/etc/wharf/registry/")
    assert mounts == {
        "/etc/wharf/tls": "/etc/wharf/registry/tls",
        "/etc/ssl/certs/wharf-storage-ca.crt": "/etc/wharf/registry/storage-ca.crt",
        "/var/lib/registry": "/srv/data",
    }
    assert rc.host_path(mounts, "/etc/wharf/tls/registry.crt") == "/etc/wharf/registry/tls/registry.crt"
    assert rc.host_path(mounts, "/etc/wharf/tlsx/registry.crt") == ""
    assert rc.host_path(mounts, "") == ""


def test_readonly_flag():
    assert rc.config_readonly({"storage": {"maintenance": {"readonly": {"enabled": True}}}}) is True
    assert rc.config_readonly({"storage": {"maintenance": {"readonly": {"enabled": "false"}}}}) is False
