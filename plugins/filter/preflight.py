# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Why the roles' preflights refuse an input, as the end of a sentence; '' when they accept it.

Each filter answers '' for input it accepts and a phrase for the role's one-sentence failure otherwise, so the
assertion that uses it names the problem instead of a Jinja traceback.
"""

import ipaddress
import re

from ansible_collections.wharf.registry.plugins.module_utils._difference import URL_AUTHORITY, split_authority

# What inventories/example/group_vars/all/vault.yml.example holds in place of every secret the user must fill in.
PLACEHOLDER = "CHANGE-ME"

# Keys that hold a secret inside a dict (a user's password, a storage's secret_key, the admin_secret_key of
# radosgw-admin settings); the names, hosts and buckets next to them are no secrets.
_SECRET_KEY = re.compile(r"password|secret|token|(^|_)key$", re.IGNORECASE)

# A DNS label as image references spell registry names (the distribution reference grammar's domain component).
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_HOST_PORT = re.compile(r"^(\[[^\]]*\]|[^:\[\]]*)(?::([^:]*))?$")


def _is_placeholder(value):
    if not isinstance(value, str):
        return False
    if value.strip() == PLACEHOLDER:
        return True
    return any(split_authority(match.group(2))[1] == PLACEHOLDER for match in URL_AUTHORITY.finditer(value))


def _placeholder_paths(value, path, secret):
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in _placeholder_paths(item, "%s.%s" % (path, key), bool(_SECRET_KEY.search(str(key))))
        ]
    if isinstance(value, list):
        return [
            found
            for index, item in enumerate(value)
            for found in _placeholder_paths(item, "%s[%d]" % (path, index), secret)
        ]
    return [path] if secret and _is_placeholder(value) else []


def placeholder_secrets_problem(values):
    """Which secrets still hold the example inventory's placeholder.

    values maps each variable to check to its value. A string variable is a secret itself (a URL's password counts:
    a proxy URL); inside dicts only the secret keys count (password, secret_key, ...), so a user's name or a bucket
    never does.
    """
    found = [
        found
        for name, value in sorted((values or {}).items())
        for found in _placeholder_paths(value, name, not isinstance(value, (dict, list)))
    ]
    if not found:
        return ""
    return "%s %s the example inventory's placeholder %s instead of a real secret" % (
        ", ".join(found),
        "holds" if len(found) == 1 else "hold",
        PLACEHOLDER,
    )


def registry_host_name(host):
    """The name or address of a registry's host[:port], without the port and an IPv6 address's brackets."""
    match = _HOST_PORT.match(host or "")
    if not match:
        return host or ""
    return match.group(1).strip("[]")


def registry_host_problem(host):
    """Why host is not a registry's host[:port] as image references spell it (a DNS name, an IPv4 address or an IPv6
    address in brackets, and an optional port 1-65535)."""
    if not isinstance(host, str) or not host:
        return "is empty"
    if "://" in host:
        return "has a scheme"
    if "/" in host or re.search(r"\s", host):
        return "has a path or whitespace"
    match = _HOST_PORT.match(host)
    if not match:
        return "is not host[:port] (an IPv6 address goes in brackets)"
    name, port = match.group(1), match.group(2)
    if port is not None and not (port.isdigit() and 1 <= int(port) <= 65535):
        return "has a port outside 1-65535"
    if name.startswith("["):
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            return "holds no IPv6 address in its brackets"
        return ""
    if len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        return "is not a host name or IP address"
    return ""


class FilterModule:
    def filters(self):
        return {
            "placeholder_secrets_problem": placeholder_secrets_problem,
            "registry_host_problem": registry_host_problem,
        }
