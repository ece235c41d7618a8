#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: radosgw_user
short_description: Manage a Ceph RADOS Gateway user, its caps, quotas and S3 key
version_added: 1.0.0
description:
  - Creates, changes or removes one RGW user through C(radosgw-admin) or, with O(admin_endpoint), through RGW's
    Admin Ops API, idempotently; both transports take the same options and return the same.
  - Reads the user once, decides what differs, and runs only the calls needed; a run that changes nothing makes one
    C(radosgw-admin) call or one HTTP request.
  - Options that are not set are left as they are on the cluster.
options:
  uid:
    description:
      - The user ID. It must not contain C(:), which separates a subuser name (C(uid:subuser)), nor control
        characters, nor start or end with white space.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the user, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  display_name:
    description:
      - The display name. When the user is created without it, the display name is the O(uid).
    type: str
  email:
    description:
      - The e-mail address.
      - RGW stores it with ASCII letters in lower case (other characters as given); the module compares and reports
        it that way, so V(Ops@Example.com) is V(ops@example.com).
    type: str
  suspended:
    description:
      - Whether the user is suspended (its keys stop working).
    type: bool
  max_buckets:
    description:
      - How many buckets the user may own. V(0) means no limit; a negative value disables bucket creation.
    type: int
  caps:
    description:
      - The exact set of admin capabilities of the user. Capabilities not listed are removed; V([]) removes all.
      - Not set means the capabilities are not managed.
    type: list
    elements: dict
    suboptions:
      type:
        description:
          - The capability type, one of the types RGW knows.
          - V(info) and V(ratelimit) need Reef (Pacific refuses them), V(user-info-without-keys) a release after Reef.
        type: str
        required: true
        choices: [users, user, buckets, metadata, usage, zone, info, bilog, mdlog, datalog, roles, user-policy,
                  amz-cache, oidc-provider, user-info-without-keys, ratelimit]
      perm:
        description:
          - The permission. V(read, write) is the same as V(*), and RGW reports it as V(*).
        type: str
        choices: ['read', 'write', '*', 'read, write']
        required: true
  user_quota:
    description:
      - The quota over all of the user's buckets. Keys that are not set are left as they are.
    type: dict
    suboptions:
      enabled:
        description:
          - Whether the quota is enforced.
        type: bool
      max_size:
        description:
          - Maximum size, in bytes (V(107374182400)) or with a suffix for powers of 1024 (V(100G), V(100Gi) or
            V(100GiB); also K, M, T, P, E, and B for bytes). Decimal units such as V(100GB) are refused, since RGW
            reads them as powers of 1024 too.
          - RGW keeps whole KiB, so a size is rounded up to a multiple of 1024 as RGW does, and reported that way.
          - V(-1) means no limit. V(0) means nothing may be stored (every write is refused while the quota is
            enabled).
        type: raw
      max_objects:
        description:
          - Maximum number of objects. V(-1) means no limit; V(0) means no object may be stored.
        type: int
  bucket_quota:
    description:
      - The quota that applies to each of the user's buckets. Keys that are not set are left as they are.
    type: dict
    suboptions:
      enabled:
        description:
          - Whether the quota is enforced.
        type: bool
      max_size:
        description:
          - Maximum size of each bucket, written as O(user_quota.max_size) is (suffixes, rounding, V(-1), V(0)).
        type: raw
      max_objects:
        description:
          - Maximum number of objects in each bucket. V(-1) means no limit; V(0) means no object may be stored.
        type: int
  access_key:
    description:
      - Access key of an S3 key the user must have, with exactly O(secret_key) as its secret.
      - Without O(access_key) and O(secret_key), the S3 key that radosgw-admin generates when it creates the user is
        kept as it is, and no S3 key is ever changed.
    type: str
  secret_key:
    description:
      - Secret of the S3 key named by O(access_key), in printable ASCII (spaces, quotes, C($) and C(~) included).
      - Other characters are refused; RGW would store them but refuse every request signed with the key.
    type: str
  exclusive_s3_key:
    description:
      - With O(access_key), also remove every other S3 key of the user itself (not those of its subusers), so that
        O(access_key) is its only one. Rotating a leaked key with this set revokes the old key in the same run.
      - The new key is set before the others are removed, so the user is never without a working key.
    type: bool
    default: false
  purge_data:
    description:
      - With O(state=absent), also delete the user's buckets and objects. Without it, removing a user that still
        owns buckets fails and changes nothing.
    type: bool
    default: false
  return_secrets:
    description:
      - Return the secret keys in RV(user) instead of C(********).
    type: bool
    default: false
extends_documentation_fragment:
  - wharf.registry.radosgw
  - wharf.registry.radosgw.attributes
seealso:
  - module: wharf.registry.radosgw_subuser
  - module: wharf.registry.radosgw_user_info
author:
  - wharf.registry maintainers (@wharf-registry)
"""

EXAMPLES = r"""
- name: Registry storage user with a bucket quota
  wharf.registry.radosgw_user:
    uid: registry
    display_name: Docker registry
    max_buckets: 2
    user_quota:
      enabled: true
      max_size: 100G
    caps: []

- name: User with a given S3 key, running radosgw-admin inside a cephadm shell
  wharf.registry.radosgw_user:
    uid: backup
    display_name: Backup job
    access_key: "{{ vault_backup_access_key }}"
    secret_key: "{{ vault_backup_secret_key }}"
    cmd_prefix: [cephadm, shell, --]
  no_log: true

- name: The same user through the Admin Ops API, no shell on a Ceph host (the given secret stays out of argv)
  wharf.registry.radosgw_user:
    uid: backup
    display_name: Backup job
    access_key: "{{ vault_backup_access_key }}"
    secret_key: "{{ vault_backup_secret_key }}"
    admin_endpoint: https://rgw.example.com
    admin_access_key: "{{ vault_rgw_admin_access_key }}"
    admin_secret_key: "{{ vault_rgw_admin_secret_key }}"
  no_log: true

- name: Rotate a leaked S3 key; the old one stops working in the same run
  wharf.registry.radosgw_user:
    uid: backup
    access_key: "{{ vault_backup_access_key_new }}"
    secret_key: "{{ vault_backup_secret_key_new }}"
    exclusive_s3_key: true
  no_log: true

- name: Read back the generated S3 key once (the task output holds secrets)
  wharf.registry.radosgw_user:
    uid: registry
    return_secrets: true
  register: registry_user
  no_log: true

- name: Remove a user together with its buckets
  wharf.registry.radosgw_user:
    uid: old-app
    state: absent
    purge_data: true
"""

RETURN = r"""
user:
  description:
    - The user as C(radosgw-admin user info) reports it after the run (also with O(admin_endpoint)) (in check mode,
      as it would be), with every C(secret_key) replaced by C(********) unless O(return_secrets=true).
    - Absent when the user does not exist at the end of the run.
    - With O(return_secrets=true) this holds secrets; use C(no_log) on the task.
  returned: when the user exists after the run
  type: dict
  sample:
    user_id: registry
    display_name: Docker registry
    email: ""
    suspended: 0
    max_buckets: 2
    subusers: [{id: "registry:swift", permissions: full-control}]
    keys: [{user: registry, access_key: 7KXQ0EXAMPLE, secret_key: "********"}]
    swift_keys: [{user: "registry:swift", secret_key: "********"}]
    caps: []
    user_quota: {enabled: true, check_on_raw: false, max_size: 107374182400, max_size_kb: 104857600, max_objects: -1}
    bucket_quota: {enabled: false, check_on_raw: false, max_size: -1, max_size_kb: 0, max_objects: -1}
"""

import copy
import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wharf.registry.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.wharf.registry.plugins.module_utils._radosgw import (
    CAP_PERMS,
    CAP_TYPES,
    USER_FIELDS,
    RadosgwAdminError,
    mask_user,
    name_problem,
    radosgw_argument_spec,
    radosgw_client,
    size_in_bytes,
)

QUOTA_SPEC = dict(
    enabled=dict(type="bool"),
    # raw: a size may carry a suffix (100G); validate() turns it into bytes.
    max_size=dict(type="raw"),
    max_objects=dict(type="int"),
)
QUOTA_SCOPES = (("user_quota", "user"), ("bucket_quota", "bucket"))


def caps_string(caps):
    return ";".join("%s=%s" % (cap_type, perm) for cap_type, perm in sorted(caps.items()))


class RadosgwUser:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.uid = self.params["uid"]
        self.rgw = radosgw_client(module)
        self.diff = DifferenceTracker()
        # The quotas asked for, sizes in bytes as RGW stores them (validate() fills it).
        self.quotas = {}

    def validate(self):
        if ":" in self.uid:
            self.module.fail_json(
                msg="uid %r must not contain ':'; that separates a subuser name (uid:subuser), "
                "which wharf.registry.radosgw_subuser manages." % self.uid
            )
        problem = name_problem(self.uid)
        if problem:
            self.module.fail_json(msg="uid %r %s." % (self.uid, problem))
        secret = self.params["secret_key"]
        if secret and not re.match(r"^[\x20-\x7e]+$", secret):
            self.module.fail_json(
                msg="secret_key holds characters outside printable ASCII; RGW stores them but then "
                "refuses every request signed with the key."
            )
        if self.params["email"]:
            # What RGW stores (it lowers ASCII letters only): compared as given, it would never be unchanged.
            self.params["email"] = re.sub("[A-Z]+", lambda match: match.group(0).lower(), self.params["email"])
        for option, _scope in QUOTA_SCOPES:
            quota = dict(self.params[option] or {})
            if quota.get("max_size") is not None:
                size = size_in_bytes(quota["max_size"])
                if size is None:
                    self.module.fail_json(
                        msg="%s.max_size is %r; give bytes (107374182400), a size in powers of 1024 (100G, 100Gi or "
                        "100GiB; also K, M, T, P, E), or -1 for no limit." % (option, quota["max_size"])
                    )
                # RGW rounds a size up to whole KiB; comparing the rounded value keeps a re-run unchanged.
                quota["max_size"] = size if size < 0 else (size + 1023) // 1024 * 1024
            for key in ("max_size", "max_objects"):
                value = quota.get(key)
                if value is not None and value < -1:
                    self.module.fail_json(
                        msg="%s.%s is %d; use a number of at least 0, or -1 for no limit." % (option, key, value)
                    )
            self.quotas[option] = quota
        types = [cap["type"] for cap in self.params["caps"] or []]
        if len(types) != len(set(types)):
            self.module.fail_json(msg="caps name a type more than once; give each type one perm (read, write or *).")

    def run(self):
        self.validate()
        current = self.rgw.user_info(self.uid)
        if self.params["state"] == "absent":
            changed = self.remove(current)
            final = None
        elif current is None:
            final = self.create()
            changed = True
        else:
            final = self.update(current)
            changed = bool(self.diff)
        result = dict(changed=changed)
        if final is not None:
            result["user"] = mask_user(final, reveal=self.params["return_secrets"])
        if self.module._diff:
            result["diff"] = self.diff.diff()
        return result

    def remove(self, current):
        if current is None:
            return False
        self.diff.add("state", "present", "absent")
        if not self.module.check_mode:
            self.rgw.user_remove(self.uid, self.params["purge_data"])
        return True

    def create(self):
        params = self.params
        predicted = {
            "user_id": self.uid,
            "display_name": params["display_name"] or self.uid,
            "email": params["email"] or "",
            "suspended": 0,
            "max_buckets": 1000,
            "subusers": [],
            "keys": [],
            "swift_keys": [],
            "caps": [],
            "user_quota": {
                "enabled": False,
                "check_on_raw": False,
                "max_size": -1,
                "max_size_kb": 0,
                "max_objects": -1,
            },
        }
        predicted["bucket_quota"] = dict(predicted["user_quota"])
        self.diff.add("state", "absent", "present")
        for option in USER_FIELDS:
            self.diff.add(option, None, params[option])
        fields = {option: params[option] for option in USER_FIELDS if params[option] not in (None, "")}
        fields["display_name"] = predicted["display_name"]
        if not self.module.check_mode:
            predicted = self.rgw.user_create(self.uid, fields, params["access_key"], params["secret_key"])
        elif params["access_key"]:
            predicted["keys"] = [
                {"user": self.uid, "access_key": params["access_key"], "secret_key": params["secret_key"]}
            ]
        # Everything create cannot set is an update of the user just made.
        return self.update(predicted, created=True)

    def update(self, current, created=False):
        """Bring an existing (or just created) user to the wanted state; return the user as it is afterwards."""
        params = self.params
        check = self.module.check_mode
        after = copy.deepcopy(current)
        # The user as the last call that changed it printed it; None once a call ran that does not print it.
        latest = current

        # Quotas first: a later call that prints the user then already shows them, saving a read.
        for option, scope in QUOTA_SCOPES:
            if self.update_quota(option, scope, current, after):
                latest = None

        modify = {}
        for option in USER_FIELDS:
            wanted = params[option]
            if wanted is None or wanted == current.get(option):
                continue
            if not created:
                self.diff.add(option, current.get(option), wanted)
                modify[option] = wanted
            after[option] = wanted
        if modify and not check:
            latest = self.rgw.user_modify(self.uid, modify)

        if params["suspended"] is not None and bool(current.get("suspended")) != params["suspended"]:
            self.diff.add("suspended", bool(current.get("suspended")), params["suspended"])
            after["suspended"] = int(params["suspended"])
            if not check:
                latest = self.rgw.user_suspend(self.uid, params["suspended"])

        if params["caps"] is not None:
            have = {cap["type"]: cap["perm"] for cap in current.get("caps") or []}
            want = {cap["type"]: CAP_PERMS[cap["perm"]] for cap in params["caps"]}
            remove = {t: p for t, p in have.items() if want.get(t) != p}
            add = {t: p for t, p in want.items() if have.get(t) != p}
            if remove or add:
                self.diff.add("caps", caps_string(have), caps_string(want))
                after["caps"] = [{"type": t, "perm": p} for t, p in sorted(want.items())]
                if not check:
                    if remove:
                        latest = self.rgw.caps_remove(self.uid, caps_string(remove))
                    if add:
                        latest = self.rgw.caps_add(self.uid, caps_string(add))

        if params["access_key"] and not created:
            keys = [k for k in current.get("keys") or [] if k.get("access_key") == params["access_key"]]
            old_secret = keys[0].get("secret_key") if keys else None
            if old_secret != params["secret_key"]:
                self.diff.add("s3_key." + params["access_key"], old_secret, params["secret_key"], secret=True)
                after["keys"] = [k for k in after.get("keys") or [] if k.get("access_key") != params["access_key"]]
                after["keys"].append(
                    {"user": self.uid, "access_key": params["access_key"], "secret_key": params["secret_key"]}
                )
                if not check:
                    latest = self.rgw.s3_key_set(self.uid, params["access_key"], params["secret_key"])

        if params["exclusive_s3_key"]:
            own = [k.get("access_key") for k in current.get("keys") or [] if k.get("user") == self.uid]
            others = sorted(key for key in own if key != params["access_key"])
            if others:
                self.diff.add("s3_keys", sorted(own), [params["access_key"]])
                after["keys"] = [k for k in after.get("keys") or [] if k.get("access_key") not in others]
                if not check:
                    for access_key in others:
                        latest = self.rgw.s3_key_remove(self.uid, access_key)

        if check:
            return after
        return latest if latest is not None else self.rgw.user_info(self.uid)

    def update_quota(self, option, scope, current, after):
        """Apply one quota scope; return whether anything changed. `quota set` is given both limits, the ones not
        asked for at their current values, so the call states the whole quota."""
        wanted = self.quotas[option]
        if not wanted:
            return False
        have = current.get(option) or {}
        new = dict(have)
        for key in ("max_size", "max_objects", "enabled"):
            if wanted.get(key) is not None:
                new[key] = wanted[key]
        limits_changed = any(new.get(k) != have.get(k) for k in ("max_size", "max_objects"))
        toggle = new.get("enabled") != have.get("enabled")
        if not limits_changed and not toggle:
            return False
        new["max_size_kb"] = max(new.get("max_size", -1), 0) // 1024
        self.diff.add(
            option,
            {k: have.get(k) for k in ("enabled", "max_size", "max_objects")},
            {k: new.get(k) for k in ("enabled", "max_size", "max_objects")},
        )
        after[option] = new
        if not self.module.check_mode:
            change = dict(enabled=new["enabled"]) if toggle else {}
            if limits_changed:
                change.update(max_size=new.get("max_size", -1), max_objects=new.get("max_objects", -1))
            self.rgw.quota_set(self.uid, scope, change)
        return True


def main():
    module = AnsibleModule(
        argument_spec=radosgw_argument_spec(
            uid=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            display_name=dict(type="str"),
            email=dict(type="str"),
            suspended=dict(type="bool"),
            max_buckets=dict(type="int"),
            caps=dict(
                type="list",
                elements="dict",
                options=dict(
                    type=dict(type="str", required=True, choices=list(CAP_TYPES)),
                    perm=dict(type="str", required=True, choices=["read", "write", "*", "read, write"]),
                ),
            ),
            user_quota=dict(type="dict", options=QUOTA_SPEC),
            bucket_quota=dict(type="dict", options=QUOTA_SPEC),
            access_key=dict(type="str", no_log=False),
            secret_key=dict(type="str", no_log=True),
            exclusive_s3_key=dict(type="bool", default=False),
            purge_data=dict(type="bool", default=False),
            return_secrets=dict(type="bool", default=False),
        ),
        required_together=[("access_key", "secret_key")],
        required_if=[("exclusive_s3_key", True, ["access_key"])],
        supports_check_mode=True,
    )
    try:
        result = RadosgwUser(module).run()
    except RadosgwAdminError as exc:
        module.fail_json(**exc.fail_kwargs())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
