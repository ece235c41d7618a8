# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read a parsed registry config.yml back into the role's vocabulary.

registry_server renders config.yml from the storage hand-off and the Redis settings. The roles read a deployed host
with the registry_config_info module, which gives these same shapes (and the storage CA beside them); the filters
serve a config.yml already parsed. Both call module_utils/_registry_config.py, where the shapes are defined once.
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wharf.registry.plugins.module_utils._registry_config import (
    HandoffError,
    config_redis,
    config_storage,
)


def registry_config_storage(config):
    """The storage hand-off (backend plus its settings) that a config.yml was rendered from; {} when unknown."""
    try:
        return config_storage(config)
    except HandoffError as exc:
        raise AnsibleFilterError(str(exc)) from None


def registry_config_redis(config):
    """The Redis settings ({addr, password, db}) of a config.yml whose blob descriptor cache is Redis; else {}."""
    return config_redis(config)


class FilterModule:
    def filters(self):
        return {
            "registry_config_storage": registry_config_storage,
            "registry_config_redis": registry_config_redis,
        }
