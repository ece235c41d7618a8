# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Parse what the roles read: image references and version strings; and hide secrets from loops.

Each filter gives an empty answer ('' , 0 or []) for input it cannot read, so the assertion that uses it fails with
the role's own sentence instead of a Jinja traceback.
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wharf.registry.plugins.module_utils._registry_config import (
    docker_image_tag,
    version_major,
    version_number,
)


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
