# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The preflight filters: the example inventory's placeholder secrets, and registry host names."""

import os

import pytest
import yaml

from ansible_collections.wharf.registry.plugins.filter.preflight import (
    PLACEHOLDER,
    FilterModule,
    placeholder_secrets_problem,
    registry_host_name,
    registry_host_problem,
)

VAULT_EXAMPLE = os.path.join(
    os.path.dirname(__file__),
    "..",
    "..",
    "..",
    "..",
    "inventories",
    "example",
    "group_vars",
    "all",
    "vault.yml.example",
)


def test_every_secret_the_example_vault_asks_for_is_refused_as_it_stands():
    with open(VAULT_EXAMPLE) as handle:
        vault = yaml.safe_load(handle)
    to_fill = {name: value for name, value in vault.items() if value}
    assert to_fill, "the example vault names secrets to fill in"
    for name, value in to_fill.items():
        assert placeholder_secrets_problem({name: value}) == (
            "%s holds the example inventory's placeholder %s instead of a real secret" % (name, PLACEHOLDER)
        )


@pytest.mark.parametrize(
    "values, names",
    [
        ({"registry_server_http_secret": "CHANGE-ME"}, "registry_server_http_secret holds"),
        ({"registry_server_http_secret": " CHANGE-ME\n"}, "registry_server_http_secret holds"),
        ({"docker_engine_http_proxy": "http://bob:CHANGE-ME@proxy:3128"}, "docker_engine_http_proxy holds"),
        (
            {
                "registry_server_users": [{"name": "ci", "password": "x"}, {"name": "bot", "password": "CHANGE-ME"}],
                "registry_server_redis": {"addr": "cache:6379", "password": "CHANGE-ME"},
            },
            "registry_server_redis.password, registry_server_users[1].password hold",
        ),
        (
            {"registry_client_registries": [{"host": "r:5000", "username": "ci", "password": "CHANGE-ME"}]},
            "registry_client_registries[0].password holds",
        ),
        (
            {"registry_storage_radosgw_admin": {"admin_endpoint": "http://rgw", "admin_secret_key": "CHANGE-ME"}},
            "registry_storage_radosgw_admin.admin_secret_key holds",
        ),
    ],
)
def test_placeholder_secrets_are_named(values, names):
    assert placeholder_secrets_problem(values) == (
        "%s the example inventory's placeholder CHANGE-ME instead of a real secret" % names
    )


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"registry_server_http_secret": ""},
        {"registry_server_http_secret": "CHANGE-ME-NOT-4f1c"},
        {"registry_server_http_secret": "change-me"},
        {"docker_engine_http_proxy": "http://CHANGE-ME@proxy"},
        {"docker_engine_http_proxy": "http://bob:p@CHANGE-ME@proxy"},
        # Names, hosts and buckets next to a secret are no secrets.
        {"registry_server_users": [{"name": "CHANGE-ME", "password": "x"}]},
        {"registry_server_storage": {"backend": "s3", "bucket": "CHANGE-ME", "secret_key": "k"}},
        {"registry_lb_vrrp_password": None},
    ],
)
def test_real_or_empty_secrets_pass(values):
    assert placeholder_secrets_problem(values) == ""


@pytest.mark.parametrize(
    "host",
    [
        "registry.example.com:5000",
        "registry",
        "localhost:5000",
        "Registry-1.example.com",
        "192.0.2.10:443",
        "[::1]:5000",
        "[2001:db8::1]",
        "a" * 63 + ".example",
    ],
)
def test_registry_hosts_that_image_names_can_spell(host):
    assert registry_host_problem(host) == ""


@pytest.mark.parametrize(
    "host, problem",
    [
        ("", "is empty"),
        (None, "is empty"),
        ("https://registry:5000", "has a scheme"),
        ("a/b", "has a path or whitespace"),
        ("../../etc", "has a path or whitespace"),
        ("reg istry", "has a path or whitespace"),
        ("host:port:extra", "is not host[:port] (an IPv6 address goes in brackets)"),
        ("::1", "is not host[:port] (an IPv6 address goes in brackets)"),
        ("[::1", "is not host[:port] (an IPv6 address goes in brackets)"),
        ("registry:0", "has a port outside 1-65535"),
        ("registry:65536", "has a port outside 1-65535"),
        ("registry:", "has a port outside 1-65535"),
        ("registry:http", "has a port outside 1-65535"),
        ("[registry]:5000", "holds no IPv6 address in its brackets"),
        ("..", "is not a host name or IP address"),
        (".registry", "is not a host name or IP address"),
        ("registry.:5000", "is not a host name or IP address"),
        ("a..b:5000", "is not a host name or IP address"),
        ("-registry", "is not a host name or IP address"),
        ("reg_istry", "is not a host name or IP address"),
        ("a" * 64 + ".example", "is not a host name or IP address"),
        (":5000", "is not a host name or IP address"),
    ],
)
def test_registry_hosts_refused(host, problem):
    assert registry_host_problem(host) == problem


@pytest.mark.parametrize(
    "host, name",
    [
        ("registry.example.com:5000", "registry.example.com"),
        ("registry.example.com", "registry.example.com"),
        ("192.0.2.10:443", "192.0.2.10"),
        ("[fd00::10]:5000", "fd00::10"),
        ("[fd00::10]", "fd00::10"),
        ("fd00::10", "fd00::10"),
        ("", ""),
        (None, ""),
    ],
)
def test_registry_host_name(host, name):
    assert registry_host_name(host) == name


def test_filters_are_registered():
    assert FilterModule().filters() == {
        "placeholder_secrets_problem": placeholder_secrets_problem,
        "registry_host_problem": registry_host_problem,
    }
