#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: containerd_config_path
short_description: Make containerd's CRI plugin read registry hosts from a hosts.toml directory
version_added: 1.0.0
description:
  - Sets the CRI plugin's C(registry.config_path) in containerd's C(config.toml) when it is not set yet, by adding
    one line (or one table at the end); every other line of the file stays as it is. A value already set is kept
    and returned, so the hosts.toml files go where containerd already looks.
  - containerd 2.x (C(version = 3)) reads C(/etc/containerd/certs.d) by default; then nothing is written.
  - Returns the directory in RV(config_path). containerd reads C(config.toml) only at start, so a change needs one
    restart of containerd, which the module does not do; the hosts.toml files themselves are read on every pull.
  - Fails, changing nothing, when the file is not TOML or the registry table is written in a form it cannot extend
    without rewriting it (an inline table or dotted keys).
options:
  path:
    description: containerd's configuration file; a missing file is created with only this setting.
    type: path
    default: /etc/containerd/config.toml
  config_path:
    description: The directory to set when none is set.
    type: path
    default: /etc/containerd/certs.d
author:
  - wharf.registry maintainers (@wharf)
requirements:
  - Python 3.11 or later on the target (tomllib).
extends_documentation_fragment:
  - wharf.registry.radosgw.attributes
seealso:
  - name: containerd registry host configuration
    description: The hosts.toml format and how config_path points at it.
    link: https://github.com/containerd/containerd/blob/main/docs/hosts.md
"""

EXAMPLES = r"""
- name: Let containerd's CRI plugin read /etc/containerd/certs.d
  wharf.registry.containerd_config_path:
  register: containerd_config

- name: Restart containerd once for it
  ansible.builtin.systemd_service:
    name: containerd
    state: restarted
  when: containerd_config is changed
"""

RETURN = r"""
config_path:
  description: The directory containerd reads hosts.toml files from once the file is in effect.
  returned: always
  type: str
  sample: /etc/containerd/certs.d
"""

import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native, to_text

from ansible_collections.wharf.registry.plugins.module_utils._files import write_atomically

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

# Where the CRI plugin keeps its registry settings, per config.toml version.
_CRI_PLUGIN = {1: "cri", 2: "io.containerd.grpc.v1.cri"}


class ContainerdConfigError(Exception):
    pass


def _header(plugin):
    quoted = plugin if plugin == "cri" else '"%s"' % plugin
    return "[plugins.%s.registry]" % quoted


def _parse(text, path):
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContainerdConfigError("%s is not valid TOML (%s); fix it first." % (path, to_native(exc))) from exc


def _toml_string(value):
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def desired_text(text, config_path, path):
    """(current config_path, new text or None when nothing changes) for the file's text."""
    config = _parse(text, path)
    version = config.get("version", 1)
    if version not in _CRI_PLUGIN:
        current = config.get("plugins", {}).get("io.containerd.cri.v1.images", {}).get("registry", {})
        return current.get("config_path") or "/etc/containerd/certs.d", None
    plugin = _CRI_PLUGIN[version]
    current = config.get("plugins", {}).get(plugin, {}).get("registry", {}).get("config_path")
    if current:
        return current, None

    setting = "config_path = %s" % _toml_string(config_path)
    header = _header(plugin)
    match = re.search(r"^([ \t]*)%s[ \t]*(#.*)?$" % re.escape(header), text, re.MULTILINE)
    if match:
        end = match.end()
        after = text[:end] + "\n%s  %s" % (match.group(1), setting) + text[end:]
    elif text.strip():
        after = text.rstrip("\n") + "\n\n%s\n  %s\n" % (header, setting)
    else:
        after = "version = 2\n\n%s\n  %s\n" % (_header(_CRI_PLUGIN[2]), setting)

    # The only difference must be the one setting: anything else means the file spells the table another way.
    expected = config if text.strip() else {"version": 2}
    cri = expected.setdefault("plugins", {}).setdefault(_CRI_PLUGIN[expected.get("version", 1)], {})
    cri.setdefault("registry", {})["config_path"] = config_path
    try:
        same = tomllib.loads(after) == expected
    except tomllib.TOMLDecodeError:
        same = False
    if not same:
        raise ContainerdConfigError(
            "%s writes the table %s in a form this module cannot extend without rewriting it: set config_path = %s "
            "there yourself." % (path, header, _toml_string(config_path))
        )
    return config_path, after


def run(module):
    path, config_path = module.params["path"], module.params["config_path"]
    try:
        with open(path, "rb") as handle:
            before = to_text(handle.read(), errors="surrogate_or_strict")
    except FileNotFoundError:
        before = None
    except (OSError, UnicodeError) as exc:
        raise ContainerdConfigError("Cannot read %s: %s" % (path, to_native(exc))) from exc

    current, after = desired_text(before or "", config_path, path)
    result = dict(changed=after is not None, config_path=current)
    if after is None:
        return result
    if module._diff:
        result["diff"] = dict(before=before or "", after=after, before_header=path, after_header=path)
    if not module.check_mode:
        write_atomically(module, path, after, created=before is None)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/containerd/config.toml"),
            config_path=dict(type="path", default="/etc/containerd/certs.d"),
        ),
        supports_check_mode=True,
    )
    if tomllib is None:
        module.fail_json(msg="containerd_config_path needs Python 3.11 or later on the target (tomllib).")
    try:
        module.exit_json(**run(module))
    except ContainerdConfigError as exc:
        module.fail_json(msg=to_native(exc))


if __name__ == "__main__":
    main()
