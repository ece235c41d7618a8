# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading a rendered config.yml back must give exactly what it was rendered from, or nothing."""

import yaml

from ansible_collections.wharf.registry.plugins.filter import parse, registry_storage
from ansible_collections.wharf.registry.plugins.filter.registry_config import (
    FilterModule,
    registry_config_redis,
    registry_config_storage,
)
from ansible_collections.wharf.registry.plugins.module_utils import _registry_config as rc

# What registry_server's config.yml.j2 renders (the parts these filters read), per backend and major version.
S3_3X = """
storage:
  s3:
    accesskey: "AK"
    secretkey: "s3cr$t ~ % 'q' \\"d\\" Ü"
    region: "default"
    regionendpoint: "http://rgw:7480"
    bucket: "registry"
    secure: false
    skipverify: false
    forcepathstyle: true
  cache:
    blobdescriptor: redis
redis:
  addrs: ["cache:6379"]
  password: "p$w ~"
  db: 2
"""
SWIFT_2X = """
storage:
  swift:
    authurl: "https://rgw:7480/auth/v1"
    username: "registry:swift"
    password: "k"
    container: "registry"
    authversion: 1
    insecureskipverify: true
  cache:
    blobdescriptor: inmemory
"""
REDIS_2X = """
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  cache:
    blobdescriptor: redis
redis:
  addr: "cache:6379"
  db: 0
"""


def test_s3_comes_back_in_the_hand_off_vocabulary_with_values_unchanged():
    assert registry_config_storage(yaml.safe_load(S3_3X)) == {
        "backend": "s3",
        "endpoint": "http://rgw:7480",
        "region": "default",
        "bucket": "registry",
        "access_key": "AK",
        "secret_key": "s3cr$t ~ % 'q' \"d\" Ü",
        "validate_certs": True,
        "ca_cert": "",
        "rootdirectory": "",
    }


def test_swift_comes_back_with_its_auth_version_and_certificate_choice():
    assert registry_config_storage(yaml.safe_load(SWIFT_2X)) == {
        "backend": "swift",
        "auth_url": "https://rgw:7480/auth/v1",
        "auth_version": 1,
        "username": "registry:swift",
        "password": "k",
        "container": "registry",
        "validate_certs": False,
    }


def test_an_s3_rootdirectory_comes_back():
    config = yaml.safe_load(S3_3X)
    config["storage"]["s3"]["rootdirectory"] = "/mirror-1/hub"
    assert registry_config_storage(config)["rootdirectory"] == "/mirror-1/hub"


def test_filesystem_is_only_what_the_config_says():
    assert registry_config_storage(yaml.safe_load(REDIS_2X)) == {"backend": "filesystem"}


def test_nothing_deployed_gives_nothing_rather_than_a_default():
    for config in ({}, None, "", {"storage": None}, {"storage": {"cache": {}}}):
        assert registry_config_storage(config) == {}
        assert registry_config_redis(config) == {}


def test_redis_of_3x_and_2x():
    assert registry_config_redis(yaml.safe_load(S3_3X)) == {"addr": "cache:6379", "password": "p$w ~", "db": 2}
    assert registry_config_redis(yaml.safe_load(REDIS_2X)) == {"addr": "cache:6379", "password": "", "db": 0}


def test_redis_settings_without_the_redis_cache_are_not_a_cache():
    config = yaml.safe_load(S3_3X)
    config["storage"]["cache"]["blobdescriptor"] = "inmemory"
    assert registry_config_redis(config) == {}
    assert registry_config_redis(yaml.safe_load(SWIFT_2X)) == {}


def test_the_filters_are_registered_under_their_names():
    assert set(FilterModule().filters()) == {"registry_config_storage", "registry_config_redis"}


def test_the_filters_are_the_shared_definitions():
    # One hand-off definition: the filter module re-exports it, it does not copy it.
    assert registry_storage.HANDOFF is rc.HANDOFF
    assert parse.version_major is rc.version_major and parse.docker_image_tag is rc.docker_image_tag
    config = {"storage": {"s3": {"regionendpoint": "http://rgw", "bucket": "b", "accesskey": "a", "secretkey": "s"}}}
    assert registry_config_storage(config) == rc.config_storage(config)
