# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The storage hand-off as filters: build it, complete it and name what is wrong with it.

The hand-off itself (HANDOFF, its keys and defaults) is defined once in module_utils/_registry_config.py, which the
registry_config_info module and the registry_config_* filters read deployed config.yml files with.
"""

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.wharf.registry.plugins.module_utils._radosgw import name_problem
from ansible_collections.wharf.registry.plugins.module_utils._registry_config import (
    HANDOFF,
    REQUIRED,
    HandoffError,
    storage_handoff,
)

_URL_KEYS = ("auth_url", "endpoint")
_URL = re.compile(r"^https?://[^/]")
_ROOTDIRECTORY = re.compile(r"^(/[^/\s]+)+$")


def registry_storage_handoff(settings):
    """The complete hand-off for settings {backend, ...}: that backend's keys in order, the default of each optional
    key not given (absent or null), '' for a required one not given; other keys are dropped. {} without a backend;
    an unknown backend alone, for registry_storage_problem to name."""
    try:
        return storage_handoff(settings)
    except HandoffError as exc:
        # from None: an AnsibleError appends its cause's message, and this is the whole sentence.
        raise AnsibleFilterError(str(exc)) from None


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
