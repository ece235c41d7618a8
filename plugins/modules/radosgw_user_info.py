#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: radosgw_user_info
short_description: Read Ceph RADOS Gateway users
version_added: 0.1.0
description:
  - Reads one RGW user, or all of them, through C(radosgw-admin), with secrets masked unless asked for.
  - One user costs one C(radosgw-admin) call; all users cost one call to list them plus one per user.
options:
  uid:
    description:
      - The user to read. Without it, every user is read.
    type: str
  return_secrets:
    description:
      - Return the secret keys instead of C(********).
    type: bool
    default: false
extends_documentation_fragment:
  - wharf.registry.radosgw
  - wharf.registry.radosgw.info_attributes
seealso:
  - module: wharf.registry.radosgw_user
author:
  - wharf.registry maintainers (@wharf-registry)
"""

EXAMPLES = r"""
- name: Read the registry user
  wharf.registry.radosgw_user_info:
    uid: registry
  register: registry_user

- name: Fail early when the registry user is missing
  ansible.builtin.assert:
    that: registry_user.users | length == 1
    fail_msg: The RGW user 'registry' does not exist.

- name: Read the Swift secret of the registry (the task output holds secrets)
  wharf.registry.radosgw_user_info:
    uid: registry
    return_secrets: true
  register: registry_user
  no_log: true
"""

RETURN = r"""
users:
  description:
    - The users as C(radosgw-admin user info) reports them; an empty list when O(uid) does not exist.
    - Every C(secret_key) is C(********) unless O(return_secrets=true); then this holds secrets.
  returned: always
  type: list
  elements: dict
  sample:
    - user_id: registry
      display_name: Docker registry
      suspended: 0
      subusers: [{id: "registry:swift", permissions: full-control}]
      keys: [{user: registry, access_key: 7KXQ0EXAMPLE, secret_key: "********"}]
      swift_keys: [{user: "registry:swift", secret_key: "********"}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wharf.registry.plugins.module_utils._radosgw import (
    RadosgwAdmin,
    RadosgwAdminError,
    mask_user,
    radosgw_argument_spec,
)


class RadosgwUserInfo:
    def __init__(self, module):
        self.module = module
        self.rgw = RadosgwAdmin(module)

    def run(self):
        uid = self.module.params["uid"]
        uids = [uid] if uid else self.rgw.user_list()
        users = []
        for name in uids:
            user = self.rgw.user_info(name)
            # A user listed a moment ago may be gone by now; report what exists.
            if user is not None:
                users.append(mask_user(user, reveal=self.module.params["return_secrets"]))
        return dict(changed=False, users=users)


def main():
    module = AnsibleModule(
        argument_spec=radosgw_argument_spec(
            uid=dict(type="str"),
            return_secrets=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    try:
        result = RadosgwUserInfo(module).run()
    except RadosgwAdminError as exc:
        module.fail_json(**exc.fail_kwargs())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
