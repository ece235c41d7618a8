# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What registry_client writes for containerd and for containers/image (podman, skopeo, buildah, CRI-O).

Strings reach TOML and JSON through json.dumps: a JSON string is a valid TOML basic string, so quotes, backslashes,
``$``, ``%`` and non-ASCII arrive exactly as given.
"""

import base64
import json

from ansible_collections.wharf.registry.plugins.filter.preflight import registry_host_name

# containerd and Docker reach Docker Hub under this name, not under docker.io.
_DOCKER_HUB = "docker.io"
_DOCKER_HUB_SERVER = "https://registry-1.docker.io"


def _scheme(entry):
    return "http" if entry.get("insecure") else "https"


def _endpoint(entry):
    return {"host": entry["host"], "insecure": bool(entry.get("insecure")), "ca_cert": entry.get("ca_cert") or ""}


def _auth(entry):
    """base64 "user:password" of an entry with a username, else ''."""
    if not entry.get("username"):
        return ""
    return base64.b64encode(("%s:%s" % (entry["username"], entry.get("password") or "")).encode("utf-8")).decode(
        "ascii"
    )


def client_locations(registries, mirrors):
    """One entry per registry name a client resolves: the registries' own settings and the mirrors in front of it.

    Each entry: host, insecure, ca_cert, auth (base64 "user:password" or ''), mirrors (a list of host, insecure,
    ca_cert, auth: a pull-through cache with users of its own), listed (whether it is one of the registries) and
    secret (whether it or one of its mirrors has credentials). An upstream that is not among the registries is
    reached over TLS with the system's CAs.
    """
    locations = {}
    for registry in registries or []:
        entry = _endpoint(registry)
        entry["auth"] = _auth(registry)
        entry["mirrors"] = []
        entry["listed"] = True
        locations[registry["host"]] = entry
    for mirror in mirrors or []:
        upstream = locations.setdefault(
            mirror["upstream"],
            {"host": mirror["upstream"], "insecure": False, "ca_cert": "", "auth": "", "mirrors": [], "listed": False},
        )
        upstream["mirrors"].append(dict(_endpoint(dict(mirror, host=mirror["mirror"])), auth=_auth(mirror)))
    for entry in locations.values():
        entry["secret"] = bool(entry["auth"] or [m for m in entry["mirrors"] if m["auth"]])
    return list(locations.values())


def pki_trust(entries, pki, key="host"):
    """The entries with the CA of registry_pki's hand-off where they need it.

    pki is the hand-off (ca_cert, names) or empty. An entry gets pki's ca_cert when it is neither insecure nor has a
    ca_cert of its own and its entry[key] (host[:port]) is one of the names the CA signed; every other entry stays as
    it is.
    """
    if not pki or not pki.get("ca_cert"):
        return list(entries or [])
    names = set(pki.get("names") or [])
    return [
        dict(entry, ca_cert=pki["ca_cert"])
        if not entry.get("insecure") and not entry.get("ca_cert") and registry_host_name(entry.get(key)) in names
        else entry
        for entry in entries or []
    ]


def client_cas(registries, mirrors):
    """Each host of the registries and mirrors that has a ca_cert, once: host, ca_cert."""
    cas = {}
    for entry in list(registries or []) + [dict(mirror, host=mirror["mirror"]) for mirror in mirrors or []]:
        if entry.get("ca_cert"):
            cas.setdefault(entry["host"], {"host": entry["host"], "ca_cert": entry["ca_cert"]})
    return list(cas.values())


def _toml(value):
    return json.dumps(value, ensure_ascii=False)


def containerd_hosts_toml(location, config_path):
    """The hosts.toml of one location: its mirrors first (pull and resolve only), then the registry itself.

    containerd falls back to server after the [host] entries, so an upstream that only has mirrors needs no [host]
    of its own.
    """

    def host_table(entry, url, capabilities, header=""):
        lines = ["[host.%s]" % _toml(url), "  capabilities = %s" % _toml(capabilities)]
        if entry["ca_cert"]:
            lines.append("  ca = %s" % _toml("%s/%s/ca.crt" % (config_path, entry["host"])))
        if header:
            lines += ["  [host.%s.header]" % _toml(url), "    authorization = %s" % _toml(header)]
        return lines

    if location["host"] == _DOCKER_HUB:
        server = _DOCKER_HUB_SERVER
    else:
        server = "%s://%s" % (_scheme(location), location["host"])
    lines = ["server = %s" % _toml(server)]
    for mirror in location["mirrors"]:
        lines += [""] + host_table(
            mirror,
            "%s://%s" % (_scheme(mirror), mirror["host"]),
            ["pull", "resolve"],
            "Basic " + mirror["auth"] if mirror.get("auth") else "",
        )
    if location["listed"]:
        lines += [""] + host_table(
            location, server, ["pull", "resolve", "push"], "Basic " + location["auth"] if location["auth"] else ""
        )
    return "\n".join(lines) + "\n"


def containers_registries_conf(locations):
    """A registries.conf.d drop-in: one [[registry]] per location, its mirrors as [[registry.mirror]]."""
    lines = []
    for location in locations:
        lines += ["[[registry]]", "location = %s" % _toml(location["host"])]
        if location["insecure"]:
            lines.append("insecure = true")
        for mirror in location["mirrors"]:
            lines += ["", "[[registry.mirror]]", "location = %s" % _toml(mirror["host"])]
            if mirror["insecure"]:
                lines.append("insecure = true")
        lines.append("")
    return "\n".join(lines)


def containers_auth(existing, locations):
    """auth.json with the credentials of each location and of each of its mirrors (containers/image looks a
    mirror's up under the mirror's own name) set, and every other entry of the existing file kept."""
    auth = dict(existing) if isinstance(existing, dict) else {}
    auths = dict(auth.get("auths") or {})
    for entry in [e for location in locations for e in [location] + location["mirrors"]]:
        if entry.get("auth"):
            auths[entry["host"]] = dict(auths.get(entry["host"]) or {}, auth=entry["auth"])
    auth["auths"] = auths
    return json.dumps(auth, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class FilterModule:
    """registry_client's renderers."""

    def filters(self):
        return {
            "client_locations": client_locations,
            "client_cas": client_cas,
            "pki_trust": pki_trust,
            "containerd_hosts_toml": containerd_hosts_toml,
            "containers_registries_conf": containers_registries_conf,
            "containers_auth": containers_auth,
        }
