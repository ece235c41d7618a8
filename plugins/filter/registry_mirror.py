# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pull-through caches of registry_mirror: one registry_server instance per upstream, and what its preflight
refuses: caches open to anyone, and storage clashes.

A cache logs in upstream with its account for whatever repository a client asks for, so without users of its own
it hands out everything that account may read (distribution's mirror docs warn of it).

A proxy keeps its expiry schedule in one file at its storage root (scheduler-state.json, distribution#4594), so two
caches with one bucket and rootdirectory overwrite each other's schedule, and a cache in a registry's bucket
shares that registry's storage with an expiry that deletes.
"""

import re

from ansible_collections.wharf.registry.plugins.filter.registry_storage import registry_storage_handoff

# Compose project names allow lowercase letters, digits, '-' and '_'; the name is also a path component.
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_URL = re.compile(r"^https?://[^/]")
DEFAULT_PORT = 5000


def _upstreams(upstreams):
    return [u for u in upstreams if isinstance(u, dict)] if isinstance(upstreams, list) else []


def registry_mirror_problem(upstreams):
    """What is wrong with registry_mirror_upstreams, as the end of a sentence that starts with the variable's name;
    '' when nothing is."""
    if not isinstance(upstreams, list) or not upstreams or len(_upstreams(upstreams)) != len(upstreams):
        return "must list the upstreams to cache, each {name, url}"
    names = [u.get("name") for u in upstreams]
    bad = [str(n) for n in names if not isinstance(n, str) or not _NAME.match(n)]
    if bad:
        return "needs names of lowercase letters, digits, - and _ (for the compose project), not %s" % ", ".join(bad)
    urls = [str(u.get("name")) for u in upstreams if not _URL.match(str(u.get("url") or ""))]
    if urls:
        return "needs an http:// or https:// url for %s" % ", ".join(urls)
    ports = [str(u.get("port") or DEFAULT_PORT) for u in upstreams]
    for label, values in (("names", names), ("ports", ports)):
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            return "needs one cache per port and name, but repeats the %s %s" % (label, ", ".join(repeated))
    return ""


def registry_mirror_access_problem(upstreams, host, users=None, trusted=False):
    """One sentence naming the first cache on host that anyone who reaches it could pull through (no users, network
    not trusted), a cache that logs in upstream first; '' when there is none."""
    if users or trusted:
        return ""
    caches = _upstreams(upstreams)
    for upstream in [u for u in caches if u.get("username")][:1] or caches[:1]:
        name, url = upstream.get("name"), upstream.get("url")
        where = "%s:%s" % (host, upstream.get("port") or DEFAULT_PORT)
        if upstream.get("username"):
            why = "logs in to %s as %s, so anyone who reaches %s could pull every repository that account may read" % (
                url,
                upstream["username"],
                where,
            )
        else:
            why = "would serve anyone who reaches %s whatever %s holds, filling its storage" % (where, url)
        return (
            "The pull-through cache %s on %s %s: give it readers of its own in registry_mirror_users (with TLS) and "
            "have clients docker login %s and pull by that name, or set registry_mirror_trusted_network: true if only "
            "trusted clients reach it." % (name, host, why, where)
        )
    return ""


def registry_mirror_instances(upstreams, storage, host, config_dir, data_dir, ttl="", deployed=None):
    """One registry_server instance per upstream: name, port, project, directories, the proxy section and the
    storage. With a storage hand-off (backend given) each s3 cache writes below its own rootdirectory
    (<hand-off's rootdirectory>/<host>/<name> unless the upstream names one); without one, each keeps the storage
    it runs with (deployed: name -> the storage registry_config_info reads from its directory, with its CA), else
    {}."""
    handoff = registry_storage_handoff(storage)
    deployed = deployed if isinstance(deployed, dict) else {}
    instances = []
    for upstream in _upstreams(upstreams):
        name = upstream["name"]
        if handoff.get("backend") == "s3":
            rootdirectory = upstream.get("rootdirectory") or "%s/%s/%s" % (
                handoff["rootdirectory"].rstrip("/"),
                host,
                name,
            )
            settled = dict(handoff, rootdirectory=rootdirectory)
        else:
            settled = handoff or registry_storage_handoff(deployed.get(name))
        proxy = {"remoteurl": upstream["url"], "ttl": str(upstream.get("ttl", ttl) or "")}
        if upstream.get("username"):
            proxy.update(username=upstream["username"], password=upstream.get("password") or "")
        instances.append(
            {
                "name": name,
                "port": int(upstream.get("port") or DEFAULT_PORT),
                "project": "wharf-mirror-%s" % name,
                "config_dir": "%s/%s" % (config_dir.rstrip("/"), name),
                "data_dir": "%s/%s" % (data_dir.rstrip("/"), name),
                "proxy": proxy,
                "storage": settled,
            }
        )
    return instances


def _place(storage):
    """(endpoint, bucket) of an s3 storage, else None."""
    if not isinstance(storage, dict) or storage.get("backend") != "s3":
        return None
    return (str(storage.get("endpoint", "")).rstrip("/"), storage.get("bucket"))


def registry_mirror_clash(instances, registries):
    """A sentence naming the first storage clash, '' when there is none. instances: host -> its caches (as
    registry_mirror_instances gives them); registries: host -> the storage of a normal registry there, or a list
    of what is known of it (the storage it settled, the hand-off it was given)."""
    seen = {}
    for host, caches in sorted((instances or {}).items()):
        for cache in caches or []:
            place = _place(cache.get("storage"))
            if place is None:
                continue
            for registry, known in sorted((registries or {}).items()):
                if place in [_place(storage) for storage in (known if isinstance(known, (list, tuple)) else [known])]:
                    return (
                        "The pull-through cache %s on %s would use the bucket %s of the registry on %s, whose "
                        "images its expiry could delete (distribution#4594): give the mirrors their own bucket "
                        "(registry_storage_mirror_bucket)." % (cache["name"], host, place[1], registry)
                    )
            root = (cache["storage"].get("rootdirectory") or "").rstrip("/")
            other = seen.setdefault(place + (root,), (cache["name"], host))
            if other != (cache["name"], host):
                return (
                    "The pull-through caches %s on %s and %s on %s would share the bucket %s at rootdirectory "
                    "%r, where each keeps its expiry schedule in one file (distribution#4594): give each its "
                    "own rootdirectory or bucket." % (other[0], other[1], cache["name"], host, place[1], root or "/")
                )
    return ""


class FilterModule:
    def filters(self):
        return {
            "registry_mirror_problem": registry_mirror_problem,
            "registry_mirror_access_problem": registry_mirror_access_problem,
            "registry_mirror_instances": registry_mirror_instances,
            "registry_mirror_clash": registry_mirror_clash,
        }
