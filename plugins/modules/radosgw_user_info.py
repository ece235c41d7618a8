#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: radosgw_user_info
short_description: Read Ceph RADOS Gateway users
version_added: 1.0.0
description:
  - Reads one RGW user, or all of them, through C(radosgw-admin) or, with O(admin_endpoint), RGW's Admin Ops API,
    with secrets masked unless asked for; both transports return the same.
  - One user costs one C(radosgw-admin) call or HTTP request; all users cost one call to list them (with the API,
    one per 1000 users) plus one per user.
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

- name: Read every user through the Admin Ops API (the admin key's user needs the cap users=read)
  wharf.registry.radosgw_user_info:
    admin_endpoint: http://rgw.example.com:7480
    admin_access_key: "{{ vault_rgw_admin_access_key }}"
    admin_secret_key: "{{ vault_rgw_admin_secret_key }}"
  register: rgw_users

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
    - The users as C(radosgw-admin user info) reports them (also with O(admin_endpoint)); an empty list when O(uid)
      does not exist.
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
    RadosgwAdminError,
    mask_user,
    radosgw_argument_spec,
    radosgw_client,
)


class RadosgwUserInfo:
    def __init__(self, module):
        self.module = module
        self.rgw = radosgw_client(module)

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
