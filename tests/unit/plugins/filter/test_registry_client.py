# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""registry_client's renderers: what containerd and containers/image get, read back with a real TOML/JSON parser."""

import base64
import json
import tomllib

import pytest

from ansible_collections.wharf.registry.plugins.filter.preflight import registry_host_problem
from ansible_collections.wharf.registry.plugins.filter.registry_client import (
    FilterModule,
    client_cas,
    client_locations,
    containerd_hosts_toml,
    containers_auth,
    containers_registries_conf,
    pki_trust,
)

PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
# Quotes, a backslash, $, % and non-ASCII must arrive exactly.
PASSWORD = 'p"a\\s$HOME%s ünï'
REGISTRIES = [
    {"host": "plain.test:5000", "insecure": True},
    {"host": "tls.test:5443", "ca_cert": PEM, "username": "wharf", "password": PASSWORD},
]
MIRRORS = [
    {"upstream": "docker.io", "mirror": "plain.test:5000", "insecure": True},
    {"upstream": "quay.io", "mirror": "cache.test:443", "ca_cert": PEM},
]


def locations():
    return {entry["host"]: entry for entry in client_locations(REGISTRIES, MIRRORS)}


@pytest.mark.parametrize(
    "host, valid",
    [
        ("registry.example.com:5000", True),
        ("registry", True),
        ("[::1]:5000", True),
        ("docker.io", True),
        ("..", False),
        ("a..b:5000", False),
        (".a", False),
        ("-a.test", False),
        ("http://a.test", False),
        ("a.test/path", False),
        ("a.test:0", False),
        ("a.test:65536", False),
        ("", False),
        (None, False),
    ],
)
def test_registry_host(host, valid):
    # The rule registry_client's preflight applies to registries and mirrors alike.
    assert (registry_host_problem(host) == "") is valid


def test_locations_join_registries_and_mirrors():
    found = locations()
    assert list(found) == ["plain.test:5000", "tls.test:5443", "docker.io", "quay.io"]
    assert found["plain.test:5000"]["auth"] == ""
    assert base64.b64decode(found["tls.test:5443"]["auth"]).decode("utf-8") == "wharf:" + PASSWORD
    assert found["docker.io"] == {
        "host": "docker.io",
        "insecure": False,
        "ca_cert": "",
        "auth": "",
        "listed": False,
        "mirrors": [{"host": "plain.test:5000", "insecure": True, "ca_cert": "", "auth": ""}],
        "secret": False,
    }
    assert [found[host]["secret"] for host in found] == [False, True, False, False]


def test_cas_once_per_host():
    assert client_cas(REGISTRIES + [dict(REGISTRIES[1])], MIRRORS) == [
        {"host": "tls.test:5443", "ca_cert": PEM},
        {"host": "cache.test:443", "ca_cert": PEM},
    ]


def test_hosts_toml_registry_with_ca_and_credentials():
    parsed = tomllib.loads(containerd_hosts_toml(locations()["tls.test:5443"], "/etc/containerd/certs.d"))
    auth = "Basic " + base64.b64encode(("wharf:" + PASSWORD).encode("utf-8")).decode("ascii")
    assert parsed == {
        "server": "https://tls.test:5443",
        "host": {
            "https://tls.test:5443": {
                "capabilities": ["pull", "resolve", "push"],
                "ca": "/etc/containerd/certs.d/tls.test:5443/ca.crt",
                "header": {"authorization": auth},
            }
        },
    }


def test_hosts_toml_plain_http():
    parsed = tomllib.loads(containerd_hosts_toml(locations()["plain.test:5000"], "/d"))
    assert parsed == {
        "server": "http://plain.test:5000",
        "host": {"http://plain.test:5000": {"capabilities": ["pull", "resolve", "push"]}},
    }


def test_hosts_toml_mirrors_pull_only_before_the_upstream():
    hub = containerd_hosts_toml(locations()["docker.io"], "/d")
    assert tomllib.loads(hub) == {
        "server": "https://registry-1.docker.io",
        "host": {"http://plain.test:5000": {"capabilities": ["pull", "resolve"]}},
    }
    quay = tomllib.loads(containerd_hosts_toml(locations()["quay.io"], "/d"))
    assert quay == {
        "server": "https://quay.io",
        "host": {"https://cache.test:443": {"capabilities": ["pull", "resolve"], "ca": "/d/cache.test:443/ca.crt"}},
    }


def test_hosts_toml_mirror_of_a_listed_registry_comes_first():
    found = {
        entry["host"]: entry
        for entry in client_locations(
            REGISTRIES, [{"upstream": "tls.test:5443", "mirror": "plain.test:5000", "insecure": True}]
        )
    }
    text = containerd_hosts_toml(found["tls.test:5443"], "/d")
    assert list(tomllib.loads(text)["host"]) == ["http://plain.test:5000", "https://tls.test:5443"]


def test_a_mirror_with_users_of_its_own_gets_its_credentials_under_its_own_name():
    closed = [
        {"upstream": "quay.io", "mirror": "cache.test:443", "ca_cert": PEM, "username": "pull", "password": PASSWORD}
    ]
    (quay,) = client_locations([], closed)
    auth = base64.b64encode(("pull:" + PASSWORD).encode("utf-8")).decode("ascii")
    assert quay["auth"] == "" and quay["secret"] and quay["mirrors"][0]["auth"] == auth
    assert tomllib.loads(containerd_hosts_toml(quay, "/d")) == {
        "server": "https://quay.io",
        "host": {
            "https://cache.test:443": {
                "capabilities": ["pull", "resolve"],
                "ca": "/d/cache.test:443/ca.crt",
                "header": {"authorization": "Basic " + auth},
            }
        },
    }
    assert json.loads(containers_auth({}, [quay]))["auths"] == {"cache.test:443": {"auth": auth}}
    assert "pull" not in containers_registries_conf([quay])


def test_registries_conf():
    parsed = tomllib.loads(containers_registries_conf(client_locations(REGISTRIES, MIRRORS)))
    assert parsed == {
        "registry": [
            {"location": "plain.test:5000", "insecure": True},
            {"location": "tls.test:5443"},
            {"location": "docker.io", "mirror": [{"location": "plain.test:5000", "insecure": True}]},
            {"location": "quay.io", "mirror": [{"location": "cache.test:443"}]},
        ]
    }
    assert "auth" not in containers_registries_conf(client_locations(REGISTRIES, MIRRORS))


def test_auth_json_keeps_other_entries_and_is_stable():
    existing = {
        "auths": {"other.test": {"auth": "b3RoZXI6eA=="}, "tls.test:5443": {"auth": "old", "x": 1}},
        "credHelpers": {"ecr.test": "ecr-login"},
    }
    text = containers_auth(existing, client_locations(REGISTRIES, MIRRORS))
    parsed = json.loads(text)
    assert parsed["credHelpers"] == existing["credHelpers"]
    assert parsed["auths"]["other.test"] == existing["auths"]["other.test"]
    assert parsed["auths"]["tls.test:5443"] == {"auth": locations()["tls.test:5443"]["auth"], "x": 1}
    assert list(parsed["auths"]) == ["other.test", "tls.test:5443"]
    assert containers_auth(parsed, client_locations(REGISTRIES, MIRRORS)) == text
    assert json.loads(containers_auth(None, []))["auths"] == {}


OWN_CA = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----"
PKI = {"ca_cert": PEM, "names": ["registry.test", "10.0.0.5", "2001:db8::5"]}


def test_pki_trust_only_for_names_the_ca_signed():
    entries = [
        {"host": "registry.test:5000", "username": "ci"},
        {"host": "10.0.0.5:5000"},
        {"host": "[2001:db8::5]:5000"},
        {"host": "registry.test"},
        {"host": "other.test:5000"},
        {"host": "registry.test:5001", "insecure": True},
        {"host": "registry.test:5002", "ca_cert": OWN_CA},
    ]
    trusted = pki_trust(entries, PKI)
    assert [entry.get("ca_cert") for entry in trusted] == [PEM, PEM, PEM, PEM, None, None, OWN_CA]
    assert trusted[0]["username"] == "ci"
    assert entries[0] == {"host": "registry.test:5000", "username": "ci"}


def test_pki_trust_for_mirrors_and_without_a_hand_off():
    mirrors = [{"upstream": "docker.io", "mirror": "registry.test:5000"}]
    assert pki_trust(mirrors, PKI, key="mirror")[0]["ca_cert"] == PEM
    assert pki_trust(mirrors, {}, key="mirror") == mirrors
    assert pki_trust(None, PKI) == []


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {
        "client_locations",
        "client_cas",
        "containerd_hosts_toml",
        "containers_registries_conf",
        "containers_auth",
        "pki_trust",
    }
