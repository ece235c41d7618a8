# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Parse what the roles read: image references and version strings; and hide secrets from loops.

Each filter gives an empty answer ('' , 0 or []) for input it cannot read, so the assertion that uses it fails with
the role's own sentence instead of a Jinja traceback.
"""

import re

from ansible.errors import AnsibleFilterError

# A version is a word of its own (at the start or after whitespace), optionally with a v, and ends at a build or
# pre-release suffix: "v3.1.2", "2.8.3+ds1", "1.29.2," but not the "v3" of a Go module path.
_VERSION = re.compile(r"(?:^|(?<=\s))v?([0-9]+(?:\.[0-9]+)*)(?=[+\-,\s]|$)")


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


def without_secrets(items, keys=("password",)):
    """Items (dicts) without the secret keys, each with has_<key>: whether that secret was given (non-empty).

    A loop prints its whole item at -vvv; looping over these instead keeps the secrets out of the log.
    """
    if isinstance(keys, str):
        keys = [keys]
    result = []
    for item in items or []:
        if not isinstance(item, dict):
            raise AnsibleFilterError(
                "without_secrets takes a list of dicts, not a list holding %r." % type(item).__name__
            )
        kept = {key: value for key, value in item.items() if key not in keys}
        kept.update(("has_" + key, bool(item.get(key))) for key in keys)
        result.append(kept)
    return result


class FilterModule:
    def filters(self):
        return {
            "docker_image_tag": docker_image_tag,
            "version_number": version_number,
            "version_major": version_major,
            "without_secrets": without_secrets,
        }
