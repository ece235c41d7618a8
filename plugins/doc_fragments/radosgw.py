# -*- coding: utf-8 -*-
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # How the RGW modules reach radosgw-admin. Set these once for all of them with
    # module_defaults: {group/wharf.registry.rgw: {...}}.
    DOCUMENTATION = r"""
options:
  cluster:
    description:
      - Name of the Ceph cluster, passed as C(--cluster).
    type: str
    default: ceph
  conf:
    description:
      - Path of the Ceph configuration file, passed as C(-c). Without it radosgw-admin reads
        C(/etc/ceph/<cluster>.conf).
      - With O(cmd_prefix) this is a path on the far side of the prefix (inside the container or shell).
    type: path
  keyring:
    description:
      - Path of the keyring holding the key of O(client_name), passed as C(-k).
      - The key needs at least C(mon 'allow rw' osd 'allow rwx'); the RGW daemon's own key suffices.
      - With O(cmd_prefix) this is a path on the far side of the prefix.
    type: path
  client_name:
    description:
      - Ceph client name to authenticate as, passed as C(-n), for example C(client.admin) or C(client.rgw.host1).
      - Without it radosgw-admin uses C(client.admin).
    type: str
  cmd_prefix:
    description:
      - Command that radosgw-admin runs through when it is not installed on the managed host itself, as an argv
        list, for example V([cephadm, shell, --]), V([docker, exec, ceph-mon]) or V([podman, exec, ceph-rgw]).
      - With a prefix, O(executable) is not looked up on the managed host, and C(LC_ALL=C) is set on the far side
        through C(env).
    type: list
    elements: str
    default: []
  executable:
    description:
      - Name or path of radosgw-admin. Without O(cmd_prefix) it is looked up in E(PATH) on the managed host.
    type: str
    default: radosgw-admin
notes:
  - Every change goes through radosgw-admin with an argv list (no shell, no expansion of C($VAR) or C(~)), so every
    value reaches RGW exactly as given.
  - A radosgw-admin failure fails the task with its C(rc), C(stdout), C(stderr) and the command, with the secrets
    passed and every secret-looking JSON member (C(secret_key), ...) replaced by C(********), also when a
    O(cmd_prefix) banner keeps the output from being parsed.
  - What appears in argv, readable by other local users of the host that runs radosgw-admin (C(ps),
    C(/proc/*/cmdline)) and in the log of a O(cmd_prefix) such as cephadm, is every option given, including a
    given S3 secret (C(--secret-key=...)) and a given Swift secret. Generated secrets never appear in argv.
requirements:
  - radosgw-admin on the managed host, or behind O(cmd_prefix).
"""

    # Shared attributes of the modules that change state.
    ATTRIBUTES = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details:
      - Check mode reads the current state once and reports exactly what a real run would change.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details:
      - Secrets appear in diffs only as C(********).
"""

    # Attributes of the read-only modules.
    INFO_ATTRIBUTES = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details:
      - The module only reads; it runs the same way in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
"""
