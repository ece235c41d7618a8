#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: docker_daemon_config
short_description: Merge settings into the Docker daemon's daemon.json
version_added: 1.0.0
description:
  - Merges O(config) into the Docker daemon configuration file (C(/etc/docker/daemon.json) by default). Keys that are
    not named in O(config) or O(remove_keys) keep their values; the file is rewritten only when its meaning changes.
  - Nested objects are merged key by key. Lists are replaced, or merged as a set with O(list_mode=merge) (the way to
    add one entry to C(insecure-registries) or C(registry-mirrors) without dropping the others).
  - An existing file that is not a JSON object makes the module fail and leaves the file untouched.
  - Refuses a key that dockerd also receives as a command line flag (from the systemd unit, its drop-ins and the
    environment files they name, or C(/etc/default/docker) on hosts without a systemd unit), because dockerd refuses
    to start when a setting is given both ways.
  - Returns in RV(action) whether the change takes effect with a live reload (SIGHUP, running containers untouched) or
    needs a restart of dockerd. The module itself never signals or restarts dockerd.
author:
  - wharf.registry maintainers (@wharf)
attributes:
  check_mode:
    details:
      - Predicts the written file, the backup and RV(action) exactly as a real run would.
  diff_mode:
    details:
      - The file's text before and after, with the password of every URL (C(scheme://user:password@host)) masked
        whole; the password is everything between the first colon and the last C(@) before the host, as dockerd
        reads it.
options:
  path:
    description:
      - The daemon configuration file. Its parent directory is created (mode C(0755)) when missing.
      - A new file gets mode C(0644); an existing file keeps its owner and mode.
    type: path
    default: /etc/docker/daemon.json
  config:
    description:
      - Settings to merge into the file, with dockerd's own key names (C(insecure-registries), C(log-opts), ...).
      - A key whose value is an object is merged key by key into the existing object. To replace an object or a list
        wholesale, also name its key in O(remove_keys).
      - V(null) values are refused; use O(remove_keys) to delete a key.
    type: dict
    default: {}
  list_mode:
    description:
      - How a list in O(config) combines with the list already in the file under the same key.
      - V(replace) writes the given list as it is.
      - V(merge) keeps the existing entries in their order and appends the given entries that are not there yet.
    type: str
    choices: [replace, merge]
    default: replace
  remove_keys:
    description:
      - Top-level keys to delete from the file. Applied before O(config), so a key named in both is replaced
        wholesale. Keys that are absent are ignored.
    type: list
    elements: str
    default: []
  backup:
    description:
      - Keep a timestamped copy of the previous file next to it when the module changes it.
    type: bool
    default: false
  check_dockerd_flags:
    description:
      - Fail when a key in O(config) is also passed to dockerd as a command line flag.
    type: bool
    default: true
  unit_name:
    description:
      - The systemd unit that runs dockerd; its unit file and drop-ins are read for the flag check.
    type: str
    default: docker.service
  unit_dirs:
    description:
      - Directories searched for the unit file and its C(<unit>.d/*.conf) drop-ins, most important first (the order
        systemd uses).
    type: list
    elements: path
    default: [/etc/systemd/system, /run/systemd/system, /usr/local/lib/systemd/system, /lib/systemd/system,
              /usr/lib/systemd/system]
  defaults_file:
    description:
      - Shell-style file whose C(DOCKER_OPTS) the SysV init script passes to dockerd. Read for the flag check only when
        no systemd unit is found; with a unit, only the environment files the unit names count.
    type: path
    default: /etc/default/docker
notes:
  - Keys that dockerd applies on SIGHUP (C(systemctl reload docker)), so that changing only these returns
    RV(action=reload) - C(allow-nondistributable-artifacts), C(authorization-plugins), C(debug), C(default-runtime),
    C(insecure-registries), C(labels), C(live-restore), C(max-concurrent-downloads), C(max-concurrent-uploads),
    C(max-download-attempts), C(network-diagnostic-port), C(registry-mirrors), C(runtimes), C(shutdown-timeout).
    Changing any other key returns RV(action=restart).
extends_documentation_fragment:
  - wharf.registry.radosgw.attributes
seealso:
  - name: dockerd configuration file
    description: Every key dockerd accepts and which of them a reload applies.
    link: https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file
"""

EXAMPLES = r"""
- name: Trust a plain-HTTP registry without dropping the entries other roles added
  wharf.registry.docker_daemon_config:
    config:
      insecure-registries: [registry.example.internal:5000]
    list_mode: merge
    backup: true
  register: daemon_json

- name: Apply it the way dockerd needs
  ansible.builtin.systemd_service:
    name: docker
    state: "{{ 'reloaded' if daemon_json.action == 'reload' else 'restarted' }}"
  when: daemon_json.action != 'none'

- name: Replace the log options wholesale and drop a setting
  wharf.registry.docker_daemon_config:
    config:
      log-driver: json-file
      log-opts: {max-size: 10m, max-file: "3"}
    remove_keys: [log-opts, debug]
"""

RETURN = r"""
action:
  description:
    - What dockerd needs for the new file to take effect.
    - V(none) when nothing changed, V(reload) when every changed key is applied by SIGHUP, V(restart) otherwise.
  returned: always
  type: str
  sample: reload
changed_keys:
  description: Top-level keys added, removed or changed, sorted.
  returned: always
  type: list
  elements: str
  sample: [insecure-registries]
restart_keys:
  description: The subset of RV(changed_keys) that a reload does not apply.
  returned: always
  type: list
  elements: str
  sample: []
config:
  description:
    - The whole configuration as the file holds it after the run (as it would in check mode).
    - The passwords of URLs (C(scheme://user:password@host)) are masked.
  returned: success
  type: dict
  sample: {"exec-opts": ["native.cgroupdriver=systemd"], "insecure-registries": ["registry.example.internal:5000"]}
backup_file:
  description: Name of the backup copy.
  returned: when O(backup=true) and an existing file was changed (not in check mode)
  type: str
  sample: /etc/docker/daemon.json.2417.2026-11-28@14:33:16~
"""

import json
import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native, to_text

from ansible_collections.wharf.registry.plugins.module_utils._difference import mask_url_passwords, url_passwords
from ansible_collections.wharf.registry.plugins.module_utils._dockerd import DockerdFlagReader, DockerdFlagsError
from ansible_collections.wharf.registry.plugins.module_utils._files import write_atomically

# Keys dockerd re-reads on SIGHUP (daemon/reload.go and reload_unix.go, docker 20.10 to 28). Anything else needs a
# restart; when in doubt a key stays out of this set, because a wrong "reload" leaves a setting silently unapplied.
RELOADABLE_KEYS = frozenset(
    [
        "allow-nondistributable-artifacts",
        "authorization-plugins",
        "debug",
        "default-runtime",
        "insecure-registries",
        "labels",
        "live-restore",
        "max-concurrent-downloads",
        "max-concurrent-uploads",
        "max-download-attempts",
        "network-diagnostic-port",
        "registry-mirrors",
        "runtimes",
        "shutdown-timeout",
    ]
)


# A string literal in JSON text, escapes included.
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


class DaemonConfigError(Exception):
    pass


def canonical(value):
    """Text that is equal for two JSON values exactly when dockerd reads them the same (true is not 1)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def merge_value(current, wanted, list_mode):
    if isinstance(current, dict) and isinstance(wanted, dict):
        merged = dict(current)
        for key, value in wanted.items():
            merged[key] = merge_value(current[key], value, list_mode) if key in current else value
        return merged
    if list_mode == "merge" and isinstance(current, list) and isinstance(wanted, list):
        seen = {canonical(item) for item in current}
        merged = list(current)
        for item in wanted:
            if canonical(item) not in seen:
                seen.add(canonical(item))
                merged.append(item)
        return merged
    return wanted


def find_nulls(value, where):
    if value is None:
        return [where]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in find_nulls(item, "%s.%s" % (where, key))]
    return []


def desired_config(current, config, list_mode, remove_keys):
    result = {key: value for key, value in current.items() if key not in remove_keys}
    for key, value in config.items():
        result[key] = merge_value(result[key], value, list_mode) if key in result else value
    return result


def changed_keys(before, after):
    keys = set(before) | set(after)
    return sorted(
        key for key in keys if key not in before or key not in after or canonical(before[key]) != canonical(after[key])
    )


def render(config):
    return json.dumps(config, indent=2, ensure_ascii=False) + "\n"


def mask_json_text(text):
    """JSON text with the URL passwords in its strings masked, each string read with its escapes; the rest of the
    text (its formatting) as it was."""

    def mask(match):
        value = json.loads(match.group(0))
        masked = mask_url_passwords(value)
        return match.group(0) if masked == value else json.dumps(masked, ensure_ascii=False)

    return JSON_STRING.sub(mask, text)


def parse_json_config(text, path):
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DaemonConfigError(
            "%s is not valid JSON (%s); fix or remove it, the module leaves it untouched." % (path, to_native(exc))
        ) from exc
    if not isinstance(data, dict):
        raise DaemonConfigError(
            "%s holds a JSON %s, not an object; fix or remove it, the module leaves it untouched."
            % (path, type(data).__name__)
        )
    return data


class DockerDaemonConfig:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.path = self.params["path"]

    def read(self):
        """(text, parsed) of the current file; (None, {}) when it does not exist yet."""
        if os.path.isdir(self.path):
            raise DaemonConfigError("%s is a directory, not a daemon configuration file." % self.path)
        if not os.path.exists(self.path):
            return None, {}
        try:
            with open(self.path, "rb") as handle:
                text = to_text(handle.read(), errors="surrogate_or_strict")
        except (OSError, UnicodeError) as exc:
            raise DaemonConfigError("Cannot read %s: %s" % (self.path, to_native(exc))) from exc
        return text, parse_json_config(text, self.path)

    def check_flags(self):
        config = self.params["config"]
        reader = DockerdFlagReader(self.params["unit_name"], self.params["unit_dirs"], self.params["defaults_file"])
        flags = reader.flags()
        clashes = sorted(key for key in config if key in flags)
        if clashes:
            key = clashes[0]
            flag, source = flags[key]
            raise DaemonConfigError(
                "%s is also passed to dockerd as the flag %s in %s, and dockerd refuses to start when a setting is "
                "given both ways: remove the flag or leave %s out of config." % (key, flag, source, key)
            )

    def run(self):
        config = self.params["config"]
        nulls = find_nulls(config, "config")[:1]
        if nulls:
            raise DaemonConfigError("%s is null; name the key in remove_keys to delete it." % nulls[0])

        before_text, before = self.read()
        # The file's own URL passwords too (see main()).
        self.module.no_log_values.update(url_passwords(before))
        if self.params["check_dockerd_flags"]:
            self.check_flags()

        after = desired_config(before, config, self.params["list_mode"], self.params["remove_keys"])
        keys = changed_keys(before, after)
        restart_keys = [key for key in keys if key not in RELOADABLE_KEYS]
        if not keys:
            action = "none"
        elif restart_keys:
            action = "restart"
        else:
            action = "reload"

        result = dict(
            changed=bool(keys),
            action=action,
            changed_keys=keys,
            restart_keys=restart_keys,
            config=mask_url_passwords(after),
        )
        if not keys:
            return result

        after_text = render(after)
        if self.module._diff:
            result["diff"] = dict(
                before=mask_json_text(before_text or ""),
                after=mask_json_text(after_text),
                before_header=self.path,
                after_header=self.path,
            )
        if not self.module.check_mode:
            if self.params["backup"] and before_text is not None:
                result["backup_file"] = self.module.backup_local(self.path)
            write_atomically(self.module, self.path, after_text, created=before_text is None)
        return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/docker/daemon.json"),
            config=dict(type="dict", default={}),
            list_mode=dict(type="str", default="replace", choices=["replace", "merge"]),
            remove_keys=dict(type="list", elements="str", default=[], no_log=False),
            backup=dict(type="bool", default=False),
            check_dockerd_flags=dict(type="bool", default=True),
            unit_name=dict(type="str", default="docker.service"),
            unit_dirs=dict(
                type="list",
                elements="path",
                default=[
                    "/etc/systemd/system",
                    "/run/systemd/system",
                    "/usr/local/lib/systemd/system",
                    "/lib/systemd/system",
                    "/usr/lib/systemd/system",
                ],
            ),
            defaults_file=dict(type="path", default="/etc/default/docker"),
        ),
        supports_check_mode=True,
    )
    # Ansible scrubs these from everything the module returns, the invocation's arguments at -vvv included.
    module.no_log_values.update(url_passwords(module.params["config"]))
    try:
        module.exit_json(**DockerDaemonConfig(module).run())
    except (DaemonConfigError, DockerdFlagsError) as exc:
        module.fail_json(msg=mask_url_passwords(to_native(exc)))
    except OSError as exc:
        module.fail_json(msg=mask_url_passwords("Cannot update %s: %s" % (module.params["path"], to_native(exc))))


if __name__ == "__main__":
    main()
