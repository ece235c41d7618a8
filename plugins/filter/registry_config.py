# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read a deployed registry config.yml back into the role's vocabulary.

registry_server renders config.yml from the storage hand-off and the Redis settings; a run that has neither (for
example ``--limit`` to one replica, or ``--tags registry_server``) keeps what the host already runs by reading them
back with these filters, instead of falling back to something else.
"""

from ansible_collections.wharf.registry.plugins.filter.registry_storage import registry_storage_handoff


def _mapping(value):
    return value if isinstance(value, dict) else {}


def registry_config_storage(config):
    """The storage hand-off (backend plus its settings) that a config.yml was rendered from; {} when unknown."""
    storage = _mapping(_mapping(config).get("storage"))
    if "s3" in storage:
        s3 = _mapping(storage["s3"])
        return registry_storage_handoff(
            {
                "backend": "s3",
                "endpoint": s3.get("regionendpoint"),
                "region": s3.get("region"),
                "bucket": s3.get("bucket"),
                "access_key": s3.get("accesskey"),
                "secret_key": s3.get("secretkey"),
                "validate_certs": not s3.get("skipverify", False),
                "rootdirectory": s3.get("rootdirectory"),
            }
        )
    if "swift" in storage:
        swift = _mapping(storage["swift"])
        return registry_storage_handoff(
            {
                "backend": "swift",
                "auth_url": swift.get("authurl"),
                "auth_version": swift.get("authversion"),
                "username": swift.get("username"),
                "password": swift.get("password"),
                "container": swift.get("container"),
                "validate_certs": not swift.get("insecureskipverify", False),
            }
        )
    if "filesystem" in storage:
        return registry_storage_handoff({"backend": "filesystem"})
    return {}


def registry_config_redis(config):
    """The Redis settings ({addr, password, db}) of a config.yml whose blob descriptor cache is Redis; else {}."""
    config = _mapping(config)
    cache = _mapping(_mapping(config.get("storage")).get("cache"))
    redis = _mapping(config.get("redis"))
    if cache.get("blobdescriptor") != "redis" or not redis:
        return {}
    # 2.x names one address (addr), 3.x a list (addrs).
    addrs = redis.get("addrs") or [redis.get("addr")]
    if not addrs or not addrs[0]:
        return {}
    return {"addr": addrs[0], "password": redis.get("password", ""), "db": int(redis.get("db", 0))}


class FilterModule:
    def filters(self):
        return {
            "registry_config_storage": registry_config_storage,
            "registry_config_redis": registry_config_redis,
        }
