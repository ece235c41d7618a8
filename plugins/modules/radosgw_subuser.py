#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: radosgw_subuser
short_description: Manage a Ceph RADOS Gateway subuser and its Swift key, without silent rotation
version_added: 1.0.0
description:
  - Makes one RGW subuser (C(uid:name)) with its Swift key exist, with the given access, or removes it.
  - The secret is either given (and then set exactly) or generated once when the key is made, and afterwards
    B(never changed unless O(rotate=true)). C(radosgw-admin subuser create) on an existing subuser would silently
    rotate the secret and ignore C(--access); this module never issues it for a subuser that exists.
  - Reads the user once and runs only the calls needed; a run that changes nothing makes one C(radosgw-admin) call,
    or with O(admin_endpoint) one Admin Ops API request (a change through the API costs one more, to read the secret
    back, since its subuser and key calls do not answer the user).
options:
  uid:
    description:
      - The user that owns the subuser. It must exist (see M(wharf.registry.radosgw_user)); in check mode a missing
        user only gives a warning, since the task that creates it did not run for real.
    type: str
    required: true
  subuser:
    description:
      - The subuser name, either alone (V(swift)) or with its user (V(registry:swift)). The name itself must not
        contain C(:) or control characters, nor start or end with white space.
    type: str
    required: true
  state:
    description:
      - V(present) makes the subuser and its Swift key exist; V(absent) removes them.
    type: str
    choices: [present, absent]
    default: present
  access:
    description:
      - The subuser's access to the user's buckets. RGW reports them as C(read), C(write), C(read-write) and
        C(full-control).
    type: str
    choices: [read, write, readwrite, full]
    default: full
  secret:
    description:
      - The Swift secret. When set, the key's secret is set to exactly this value.
      - When not set, a secret is generated when the key is made and then kept.
    type: str
  rotate:
    description:
      - Replace the Swift secret with a newly generated one. Every run with O(rotate=true) changes the secret, so
        use it in a task that runs on purpose, not in a converge loop. Has no effect when O(secret) is set.
    type: bool
    default: false
  purge_keys:
    description:
      - With O(state=absent), also remove the subuser's keys (radosgw-admin's C(--purge-keys)).
      - Without it, whether the Swift key outlives the subuser depends on the release; Ceph Pacific removes it anyway.
    type: bool
    default: true
  return_secret:
    description:
      - Return the current Swift secret in RV(secret) even when this run did not generate it.
    type: bool
    default: false
extends_documentation_fragment:
  - wharf.registry.radosgw
  - wharf.registry.radosgw.attributes
seealso:
  - module: wharf.registry.radosgw_user
  - module: wharf.registry.swift_container
author:
  - wharf.registry maintainers (@wharf-registry)
"""

EXAMPLES = r"""
- name: Swift identity of the registry, secret generated once
  wharf.registry.radosgw_subuser:
    uid: registry
    subuser: swift
    access: full
  register: registry_swift
  no_log: true

- name: Swift identity with a secret from the vault
  wharf.registry.radosgw_subuser:
    uid: registry
    subuser: swift
    secret: "{{ vault_registry_swift_secret }}"

- name: Swift identity through the Admin Ops API, connection set once for every RGW module
  module_defaults:
    group/wharf.registry.rgw:
      admin_endpoint: https://rgw.example.com
      admin_access_key: "{{ vault_rgw_admin_access_key }}"
      admin_secret_key: "{{ vault_rgw_admin_secret_key }}"
      ca_path: /etc/ssl/certs/internal-ca.pem
  wharf.registry.radosgw_subuser:
    uid: registry
    subuser: swift
  register: registry_swift
  no_log: true

- name: Rotate the Swift secret on purpose
  wharf.registry.radosgw_subuser:
    uid: registry
    subuser: swift
    rotate: true
  register: rotated
  no_log: true

- name: Remove the subuser and its key
  wharf.registry.radosgw_subuser:
    uid: registry
    subuser: swift
    state: absent
"""

RETURN = r"""
auth_user:
  description: The Swift auth user, C(uid:name), as Swift auth v1 expects it in C(X-Auth-User).
  returned: always
  type: str
  sample: registry:swift
subuser:
  description: The subuser after the run (in check mode, as it would be); absent when it does not exist.
  returned: when the subuser exists after the run
  type: dict
  sample: {id: "registry:swift", permissions: full-control}
secret:
  description:
    - The Swift secret. Sensitive. Returned only when this run generated it (the only moment it is known
      without reading it back) or O(return_secret=true); in check mode a secret still to be generated is unknown and
      not returned.
  returned: when generated by this run, or with O(return_secret=true)
  type: str
  sample: "********"
generated:
  description: Whether this run generated a new secret (or would, in check mode).
  returned: always
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wharf.registry.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.wharf.registry.plugins.module_utils._radosgw import (
    ACCESS_TO_PERMISSIONS,
    SUBUSER_ACCESS,
    RadosgwAdminError,
    find_subuser,
    find_swift_key,
    name_problem,
    radosgw_argument_spec,
    radosgw_client,
)


class RadosgwSubuser:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.uid = self.params["uid"]
        self.name = self.params["subuser"]
        self.rgw = radosgw_client(module)
        self.diff = DifferenceTracker()

    def validate(self):
        if ":" in self.uid:
            self.module.fail_json(msg="uid %r must not contain ':'; give the subuser name in subuser." % self.uid)
        if ":" in self.name:
            owner, dummy, self.name = self.name.partition(":")
            if owner != self.uid:
                self.module.fail_json(
                    msg="subuser %r belongs to user %r, not to uid %r." % (self.params["subuser"], owner, self.uid)
                )
        if not self.name or ":" in self.name:
            self.module.fail_json(msg="subuser must be a name such as 'swift' or 'uid:swift'.")
        for option, value in (("uid", self.uid), ("subuser", self.name)):
            problem = name_problem(value)
            if problem:
                self.module.fail_json(msg="%s %r %s." % (option, value, problem))
        self.id = self.uid + ":" + self.name

    def run(self):
        self.validate()
        user = self.rgw.user_info(self.uid)
        result = dict(changed=False, auth_user=self.id, generated=False)
        if self.params["state"] == "absent":
            if user is not None:
                result["changed"] = self.remove(user)
        else:
            if user is None and not self.module.check_mode:
                self.module.fail_json(
                    msg="user %r does not exist; create it first with wharf.registry.radosgw_user." % self.uid, **result
                )
            if user is None:
                # In check mode the task that creates the user did not run for real; predict as if it had.
                self.module.warn("user %r does not exist yet; a real run fails unless it is created first." % self.uid)
                user = {"user_id": self.uid, "subusers": [], "swift_keys": []}
            self.ensure(user, result)
        if self.module._diff:
            result["diff"] = self.diff.diff()
        return result

    def remove(self, user):
        subuser = find_subuser(user, self.id)
        key = find_swift_key(user, self.id) if self.params["purge_keys"] else None
        if subuser is None and key is None:
            return False
        if subuser is not None:
            self.diff.add("state", "present", "absent")
        if key is not None:
            self.diff.add("swift_key", key.get("secret_key"), None, secret=True)
        if not self.module.check_mode:
            if subuser is not None:
                self.rgw.subuser_remove(self.uid, self.id, self.params["purge_keys"])
            else:
                # An orphan key (made by `key create` for a subuser that never existed).
                self.rgw.swift_key_remove(self.uid, self.id)
        return True

    def secret_in(self, user):
        """The subuser's swift secret in what the call that set it printed, or (when it printed something else) in
        the user read back."""
        if user is None:
            user = self.rgw.user_info(self.uid)
        key = find_swift_key(user or {}, self.id)
        if key is None or not key.get("secret_key"):
            raise RadosgwAdminError("RGW reported no swift key for %s after setting it." % self.id)
        return key["secret_key"]

    def ensure(self, user, result):
        params = self.params
        check = self.module.check_mode
        access = params["access"]
        subuser = find_subuser(user, self.id)
        key = find_swift_key(user, self.id)
        old_secret = key.get("secret_key") if key else None
        secret = params["secret"]
        generate = False
        if secret is None:
            if old_secret is None or params["rotate"]:
                generate = True
            else:
                secret = old_secret

        if subuser is None:
            self.diff.add("state", "absent", "present")
            self.diff.add("access", None, access)
            # An orphan key keeps its secret (passed on explicitly): making the subuser must not rotate it.
            if not check:
                secret = self.secret_in(
                    self.rgw.subuser_create(self.uid, self.id, access, None if generate else secret)
                )
            subuser = {"id": self.id, "permissions": ACCESS_TO_PERMISSIONS[access]}
        else:
            if subuser.get("permissions") != ACCESS_TO_PERMISSIONS[access]:
                self.diff.add("access", subuser.get("permissions"), ACCESS_TO_PERMISSIONS[access])
                if not check:
                    self.rgw.subuser_modify(self.uid, self.id, access)
                subuser = {"id": self.id, "permissions": ACCESS_TO_PERMISSIONS[access]}
            if generate or secret != old_secret:
                if not check:
                    secret = self.secret_in(self.rgw.swift_key_set(self.uid, self.id, None if generate else secret))

        if generate:
            self.diff.add("swift_key", old_secret, "generated", secret=True)
        else:
            self.diff.add("swift_key", old_secret, secret, secret=True)
        result["changed"] = bool(self.diff)
        result["generated"] = generate
        result["subuser"] = subuser
        if secret is not None and ((generate and not check) or params["return_secret"]):
            result["secret"] = secret


def main():
    module = AnsibleModule(
        argument_spec=radosgw_argument_spec(
            uid=dict(type="str", required=True),
            subuser=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            access=dict(type="str", default="full", choices=list(SUBUSER_ACCESS)),
            secret=dict(type="str", no_log=True),
            rotate=dict(type="bool", default=False),
            purge_keys=dict(type="bool", default=True),
            return_secret=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    try:
        result = RadosgwSubuser(module).run()
    except RadosgwAdminError as exc:
        module.fail_json(**exc.fail_kwargs())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
