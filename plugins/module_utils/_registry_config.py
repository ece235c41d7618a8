# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The storage hand-off, defined once, and what a deployed registry_server config.yml and compose.yml say.

The hand-off is what registry_storage gives registry_server, what registry_server checks and renders into
config.yml, and what is read back from a deployed config.yml (the registry_config_* filters and the
registry_config_info module both call the readers here). Its keys are the registry's config.yml keys in Ansible's
spelling (authurl is auth_url, accesskey access_key), except endpoint (config.yml's regionendpoint) and
validate_certs (the inverse of skipverify / insecureskipverify), which is what the wharf.registry modules call them.

The readers take parsed YAML and give an empty answer ({} , '' or 0) for what they cannot read, so the role's own
check fails with its own sentence. Private to this collection: no compatibility promise outside it.
"""

import posixpath
import re

from ansible.module_utils.parsing.convert_bool import boolean

# Each backend's keys in config.yml's order, with their defaults; REQUIRED ones have none.
REQUIRED = None
HANDOFF = {
    "filesystem": {},
    "swift": {
        "auth_url": REQUIRED,
        "auth_version": 1,
        "username": REQUIRED,
        "password": REQUIRED,
        "container": REQUIRED,
        "validate_certs": True,
    },
    "s3": {
        "endpoint": REQUIRED,
        "region": "default",
        "bucket": REQUIRED,
        "access_key": REQUIRED,
        "secret_key": REQUIRED,
        "validate_certs": True,
        # PEM of a private CA that signed RGW's certificate, trusted besides the registry image's own CAs.
        "ca_cert": "",
        # Where in the bucket the registry's tree starts ('' is its root): /files serves what registry 2.x stored
        # there with swift; pull-through caches sharing a bucket need one each, since a proxy keeps its expiry state
        # in one file at its root (distribution#4594).
        "rootdirectory": "",
    },
}

# Where registry_server mounts things in the container (roles/registry_server/templates/compose.yml.j2).
STORAGE_CA_TARGET = "/etc/ssl/certs/wharf-storage-ca.crt"
CONFIG_TARGETS = {"/etc/docker/registry/config.yml": 2, "/etc/distribution/config.yml": 3}

# A version is a word of its own (at the start or after whitespace), optionally with a v, and ends at a build or
# pre-release suffix: "v3.1.2", "2.8.3+ds1", "1.29.2," but not the "v3" of a Go module path.
_VERSION = re.compile(r"(?:^|(?<=\s))v?([0-9]+(?:\.[0-9]+)*)(?=[+\-,\s]|$)")


class HandoffError(ValueError):
    """A hand-off value of the wrong type; the message is the whole sentence."""


def _mapping(value):
    return value if isinstance(value, dict) else {}


def _typed(key, value):
    try:
        if key == "validate_certs":
            return boolean(value)
        if key == "auth_version":
            return int(value)
    except (TypeError, ValueError):
        raise HandoffError(
            "The storage hand-off needs %s to be %s, not %r."
            % (key, "a boolean" if key == "validate_certs" else "a number", value)
        ) from None
    return value


def storage_handoff(settings):
    """The complete hand-off for settings {backend, ...}: that backend's keys in order, the default of each optional
    key not given (absent or null), '' for a required one not given; other keys are dropped. {} without a backend;
    an unknown backend alone, for registry_storage_problem to name."""
    if not isinstance(settings, dict) or not settings.get("backend"):
        return {}
    backend = settings["backend"]
    if backend not in HANDOFF:
        return {"backend": backend}
    handoff = {"backend": backend}
    for key, default in HANDOFF[backend].items():
        value = settings.get(key)
        if value is None:
            value = "" if default is REQUIRED else default
        handoff[key] = _typed(key, value)
    return handoff


def config_storage(config, ca_cert=""):
    """The storage hand-off a parsed config.yml was rendered from, with ca_cert (the PEM the container trusts for
    its storage) where the backend takes one; {} when the storage is unknown."""
    storage = _mapping(_mapping(config).get("storage"))
    if "s3" in storage:
        s3 = _mapping(storage["s3"])
        settings = {
            "backend": "s3",
            "endpoint": s3.get("regionendpoint"),
            "region": s3.get("region"),
            "bucket": s3.get("bucket"),
            "access_key": s3.get("accesskey"),
            "secret_key": s3.get("secretkey"),
            "validate_certs": not s3.get("skipverify", False),
            "ca_cert": ca_cert,
            "rootdirectory": s3.get("rootdirectory"),
        }
    elif "swift" in storage:
        swift = _mapping(storage["swift"])
        settings = {
            "backend": "swift",
            "auth_url": swift.get("authurl"),
            "auth_version": swift.get("authversion"),
            "username": swift.get("username"),
            "password": swift.get("password"),
            "container": swift.get("container"),
            "validate_certs": not swift.get("insecureskipverify", False),
        }
    elif "filesystem" in storage:
        settings = {"backend": "filesystem"}
    else:
        return {}
    return storage_handoff(settings)


def config_redis(config):
    """The Redis settings ({addr, password, db}) of a parsed config.yml whose blob descriptor cache is Redis; else
    {}. 2.x names one address (addr), 3.x a list (addrs): the first is taken."""
    config = _mapping(config)
    cache = _mapping(_mapping(config.get("storage")).get("cache"))
    redis = _mapping(config.get("redis"))
    if cache.get("blobdescriptor") != "redis" or not redis:
        return {}
    addrs = redis.get("addrs") or [redis.get("addr")]
    if not addrs or not addrs[0]:
        return {}
    return {"addr": addrs[0], "password": redis.get("password", ""), "db": int(redis.get("db", 0))}


def config_http(config):
    """The http section of a parsed config.yml without its secret (the key that signs upload state)."""
    return {key: value for key, value in _mapping(_mapping(config).get("http")).items() if key != "secret"}


def config_tls(config):
    """What the http section says of TLS: enabled, scheme (https or http), client_auth (clientcas named) and the
    container paths of certificate, key and clientcas ('' and [] when not named)."""
    http = _mapping(_mapping(config).get("http"))
    tls = _mapping(http.get("tls"))
    clientcas = tls.get("clientcas") or []
    clientcas = [clientcas] if isinstance(clientcas, str) else [str(path) for path in clientcas]
    enabled = "tls" in http
    return {
        "enabled": enabled,
        "scheme": "https" if enabled else "http",
        "client_auth": bool(clientcas),
        "certificate": str(tls.get("certificate") or ""),
        "key": str(tls.get("key") or ""),
        "clientcas": clientcas,
    }


def config_proxy(config):
    """(whether the registry is a pull-through cache, the upstream's remoteurl or '')."""
    remoteurl = str(_mapping(_mapping(config).get("proxy")).get("remoteurl") or "")
    return bool(remoteurl), remoteurl


def config_readonly(config):
    """Whether storage.maintenance.readonly.enabled is true."""
    maintenance = _mapping(_mapping(_mapping(config).get("storage")).get("maintenance"))
    try:
        return boolean(_mapping(maintenance.get("readonly")).get("enabled", False))
    except TypeError:
        return False


def docker_image_tag(image):
    """The tag of an image reference ("host:5000/registry:3.1.2@sha256:..." gives "3.1.2"); '' without one."""
    if not isinstance(image, str):
        return ""
    # The last path component holds the tag; a registry's port sits in the first.
    name = image.rsplit("/", 1)[-1].split("@", 1)[0]
    return name.partition(":")[2]


def version_number(text):
    """The first version in text without its v prefix or build suffix ("v2.29.7" gives "2.29.7"); '' without one."""
    if not isinstance(text, str):
        return ""
    match = _VERSION.search(text)
    return match.group(1) if match else ""


def version_major(text):
    """The major number of the first version in text ("3.1.2", "v2", "registry ... 2.8.3+ds1"); 0 without one."""
    number = version_number(text)
    return int(number.split(".", 1)[0]) if number else 0


def compose_registry(compose):
    """The registry service of a parsed compose.yml ({} without one)."""
    return _mapping(_mapping(_mapping(compose).get("services")).get("registry"))


def compose_mounts(compose, base_dir):
    """The registry service's bind mounts as {container path: host path}; a relative host path is taken from
    base_dir (where compose.yml is), as compose does. Short ("src:dst[:ro]") and long ({source, target}) forms."""
    mounts = {}
    for volume in compose_registry(compose).get("volumes") or []:
        if isinstance(volume, str):
            parts = volume.split(":")
            if len(parts) < 2:
                continue
            source, target = parts[0], parts[1]
        elif isinstance(volume, dict) and volume.get("type", "bind") == "bind":
            source, target = str(volume.get("source") or ""), str(volume.get("target") or "")
        else:
            continue
        if not source or not target:
            continue
        if not source.startswith("/"):
            source = "%s/%s" % (base_dir.rstrip("/"), source[2:] if source.startswith("./") else source)
        mounts[target.rstrip("/") or "/"] = source
    return mounts


def host_path(mounts, container_path):
    """Where a container path lives on the host through the bind mounts (the deepest one holding it); '' when no
    mount holds it."""
    if not container_path:
        return ""
    best = ""
    for target in mounts:
        if (container_path == target or container_path.startswith(target.rstrip("/") + "/")) and len(target) > len(
            best
        ):
            best = target
    if not best:
        return ""
    return mounts[best] + container_path[len(best) :]


def compose_major(compose):
    """The registry's major version: from its image's tag, else from where its config.yml is mounted (2.x reads
    /etc/docker/registry, 3.x /etc/distribution); 0 when neither tells."""
    major = version_major(docker_image_tag(compose_registry(compose).get("image")))
    if major:
        return major
    for target in compose_mounts(compose, "/"):
        if target in CONFIG_TARGETS:
            return CONFIG_TARGETS[target]
    return 0


def deployment(config, compose, config_dir, storage_ca_path, storage_ca, is_file, read_file):
    """What a parsed config.yml and compose.yml (None when missing) in config_dir say, as registry_config_info
    returns it. storage_ca: the text of the file storage_ca_path beside config.yml (None when missing). is_file(path)
    and read_file(path) (its text or None) look on the host, and are called only for what the files name there: the
    TLS files, and a storage CA the compose project mounts from elsewhere."""
    mounts = compose_mounts(compose, config_dir)
    storage = config_storage(config)
    if storage.get("backend") == "s3":
        mounted = mounts.get(STORAGE_CA_TARGET)
        if mounted and posixpath.normpath(mounted) != posixpath.normpath(storage_ca_path):
            storage_ca = read_file(mounted)
        storage = config_storage(config, storage_ca or "")
    tls = config_tls(config)
    named = {
        "certificate": [tls["certificate"]] if tls["certificate"] else [],
        "key": [tls["key"]] if tls["key"] else [],
        "clientcas": tls["clientcas"],
    }
    present = {}
    for name, paths in named.items():
        on_host = [host_path(mounts, path) for path in paths]
        # Every file named, each reachable through a mount and there; False when none is named.
        present[name] = bool(on_host) and all(on_host) and all(is_file(path) for path in on_host)
    proxy, remoteurl = config_proxy(config)
    return {
        "storage": storage,
        "redis": config_redis(config),
        "image": str(compose_registry(compose).get("image") or ""),
        "major_version": compose_major(compose),
        "proxy": proxy,
        "proxy_remoteurl": remoteurl,
        "readonly": config_readonly(config),
        "tls": dict(enabled=tls["enabled"], scheme=tls["scheme"], client_auth=tls["client_auth"], **present),
        "http": config_http(config),
    }
