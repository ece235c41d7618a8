# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The storage hand-off, defined once: what registry_storage gives registry_server, what registry_server checks and
renders into config.yml, and what registry_config_storage reads back from a deployed config.yml.

Its keys are the registry's config.yml keys in Ansible's spelling (authurl is auth_url, accesskey access_key), except
endpoint (config.yml's regionendpoint) and validate_certs (the inverse of skipverify / insecureskipverify), which
is what the wharf.registry modules call them.
"""

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.wharf.registry.plugins.module_utils._radosgw import name_problem

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
_URL_KEYS = ("auth_url", "endpoint")
_URL = re.compile(r"^https?://[^/]")
_ROOTDIRECTORY = re.compile(r"^(/[^/\s]+)+$")


def _typed(key, value):
    try:
        if key == "validate_certs":
            return boolean(value)
        if key == "auth_version":
            return int(value)
    except (TypeError, ValueError):
        # from None: an AnsibleError appends its cause's message, and this is the whole sentence.
        raise AnsibleFilterError(
            "The storage hand-off needs %s to be %s, not %r."
            % (key, "a boolean" if key == "validate_certs" else "a number", value)
        ) from None
    return value


def registry_storage_handoff(settings):
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


def registry_storage_problem(handoff):
    """What is wrong with a hand-off, as the end of a sentence that starts with the variable's name
    ("with backend s3 needs bucket, access_key"); '' when nothing is."""
    if not isinstance(handoff, dict) or not handoff.get("backend"):
        return "names no backend (filesystem, swift or s3)"
    backend = handoff["backend"]
    if backend not in HANDOFF:
        return "has backend %r, which is none of filesystem, swift or s3" % backend
    problems = []
    missing = [key for key, default in HANDOFF[backend].items() if default is REQUIRED and not handoff.get(key)]
    if missing:
        problems.append("needs %s" % ", ".join(missing))
    for key in _URL_KEYS:
        value = handoff.get(key)
        if key in HANDOFF[backend] and value and not _URL.match(str(value)):
            problems.append("needs an http:// or https:// URL in %s, not %r" % (key, value))
    rootdirectory = handoff.get("rootdirectory")
    if "rootdirectory" in HANDOFF[backend] and rootdirectory and not _ROOTDIRECTORY.match(str(rootdirectory)):
        problems.append("needs rootdirectory to be empty or an absolute path such as /files, not %r" % rootdirectory)
    return ("with backend %s " % backend + " and ".join(problems)) if problems else ""


def rgw_name_problem(name):
    """Why name cannot be an RGW uid (or subuser name), as the end of a sentence; '' when it can. The same rule the
    RGW modules apply."""
    return name_problem(name if isinstance(name, str) else "") or ""


class FilterModule:
    def filters(self):
        return {
            "registry_storage_handoff": registry_storage_handoff,
            "registry_storage_problem": registry_storage_problem,
            "rgw_name_problem": rgw_name_problem,
        }
