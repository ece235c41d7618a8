#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: swift_container
short_description: Manage a Swift container (an RGW bucket) with its ACLs and metadata
version_added: 1.0.0
description:
  - Makes one Swift container exist with the given read/write ACLs and metadata, or removes it, through
    python-swiftclient. On the RADOS Gateway a Swift container is also an S3 bucket of the same user.
  - Reads the container once (C(HEAD)) and sends only the changes; a removal refuses a non-empty container unless
    O(force=true).
options:
  container:
    description:
      - The container name.
    type: str
    required: true
  state:
    description:
      - V(present) makes the container exist; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - With O(state=absent), delete the container's objects first. Without it, removing a container that holds
        objects fails and changes nothing.
    type: bool
    default: false
  read_acl:
    description:
      - The container read ACL (C(X-Container-Read)), for example V(.r:*,.rlistings) or V(otheruser:swift).
        V('') removes it. Not set means not managed.
    type: str
  write_acl:
    description:
      - The container write ACL (C(X-Container-Write)). V('') removes it. Not set means not managed.
    type: str
  metadata:
    description:
      - Container metadata (C(X-Container-Meta-*)). Keys are case-insensitive and reported in lower case.
    type: dict
    default: {}
  purge_metadata:
    description:
      - Remove metadata keys that are not in O(metadata).
    type: bool
    default: false
extends_documentation_fragment:
  - wharf.registry.swift
  - wharf.registry.radosgw.attributes
seealso:
  - module: wharf.registry.radosgw_subuser
author:
  - wharf.registry maintainers (@wharf-registry)
"""

EXAMPLES = r"""
- name: Registry container on the RADOS Gateway
  wharf.registry.swift_container:
    auth_url: http://ceph1.example.com:7480/auth/v1
    user: registry:swift
    key: "{{ vault_registry_swift_secret }}"
    container: registry
    metadata:
      owner: platform-team

- name: Same, with the connection set once for the whole play
  module_defaults:
    group/wharf.registry.swift:
      auth_url: http://ceph1.example.com:7480/auth/v1
      user: registry:swift
      key: "{{ vault_registry_swift_secret }}"
  block:
    - name: Public read container
      wharf.registry.swift_container:
        container: public
        read_acl: .r:*,.rlistings

    - name: Remove a scratch container and what it holds
      wharf.registry.swift_container:
        container: scratch
        state: absent
        force: true

- name: Container on OpenStack Swift through Keystone v3
  wharf.registry.swift_container:
    auth_url: https://keystone.example.com:5000/v3
    auth_version: "3"
    user: registry
    key: "{{ vault_keystone_password }}"
    project_name: registry
    container: registry
"""

RETURN = r"""
container:
  description: The container after the run (in check mode, as it would be); absent when it does not exist.
  returned: when the container exists after the run
  type: dict
  contains:
    name:
      description: The container name.
      type: str
      sample: registry
    object_count:
      description: Number of objects in the container.
      type: int
      sample: 42
    bytes:
      description: Bytes used by the objects in the container.
      type: int
      sample: 1048576
    read_acl:
      description: The read ACL; V('') when there is none.
      type: str
      sample: ".r:*,.rlistings"
    write_acl:
      description: The write ACL; V('') when there is none.
      type: str
      sample: ""
    metadata:
      description: The container metadata, keys in lower case.
      type: dict
      sample: {owner: platform-team}
deleted_objects:
  description: Number of objects deleted (or that would be) with O(force=true).
  returned: when O(state=absent)
  type: int
  sample: 0
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wharf.registry.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.wharf.registry.plugins.module_utils._swift import (
    ClientException,
    check_container_name,
    connect,
    run_and_exit,
    swift_argument_spec,
)

META_PREFIX = "x-container-meta-"


def normalise_acl(acl):
    return ",".join(part.strip() for part in acl.split(",") if part.strip())


def describe(name, headers):
    return {
        "name": name,
        "object_count": int(headers.get("x-container-object-count", 0)),
        "bytes": int(headers.get("x-container-bytes-used", 0)),
        "read_acl": headers.get("x-container-read", ""),
        "write_acl": headers.get("x-container-write", ""),
        "metadata": {k[len(META_PREFIX) :]: v for k, v in headers.items() if k.startswith(META_PREFIX)},
    }


class SwiftContainer:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = self.params["container"]
        self.diff = DifferenceTracker()
        self.conn = None

    def head(self):
        try:
            return describe(self.name, self.conn.head_container(self.name))
        except ClientException as exc:
            if exc.http_status == 404:
                return None
            raise

    def run(self):
        check_container_name(self.module, self.name)
        self.conn = connect(self.module)
        current = self.head()
        if self.params["state"] == "absent":
            result = self.remove(current)
        else:
            result = self.ensure(current)
        result["changed"] = bool(self.diff)
        if self.module._diff:
            result["diff"] = self.diff.diff()
        return result

    def remove(self, current):
        if current is None:
            return dict(deleted_objects=0)
        count = current["object_count"]
        if count and not self.params["force"]:
            self.module.fail_json(
                msg="container %s holds %d objects; set force: true to delete them with it." % (self.name, count),
                container=current,
            )
        self.diff.add("state", "present", "absent")
        if count:
            self.diff.add("object_count", count, 0)
        deleted = count
        if not self.module.check_mode:
            objects = self.conn.get_container(self.name, full_listing=True)[1]
            for obj in objects:
                self.conn.delete_object(self.name, obj["name"])
            deleted = len(objects)
            self.conn.delete_container(self.name)
        return dict(deleted_objects=deleted)

    def ensure(self, current):
        params = self.params
        wanted_meta = {str(k).lower(): str(v) for k, v in params["metadata"].items()}
        before = current or {
            "name": self.name,
            "object_count": 0,
            "bytes": 0,
            "read_acl": "",
            "write_acl": "",
            "metadata": {},
        }
        after = dict(before, metadata=dict(before["metadata"]))
        headers = {}
        if current is None:
            self.diff.add("state", "absent", "present")

        acl_changed = False
        for option, _header in (("read_acl", "X-Container-Read"), ("write_acl", "X-Container-Write")):
            if params[option] is not None and normalise_acl(params[option]) != normalise_acl(before[option]):
                after[option] = normalise_acl(params[option])
                self.diff.add(option, before[option], after[option])
                acl_changed = True
        if acl_changed:
            # RGW rewrites the container's whole ACL from these headers, so send both even if one did not change.
            headers["X-Container-Read"] = after["read_acl"]
            headers["X-Container-Write"] = after["write_acl"]

        for key, value in sorted(wanted_meta.items()):
            if before["metadata"].get(key) != value:
                headers["X-Container-Meta-" + key] = value
                after["metadata"][key] = value
        if params["purge_metadata"]:
            for key in sorted(before["metadata"]):
                if key not in wanted_meta:
                    headers["X-Remove-Container-Meta-" + key] = "x"
                    del after["metadata"][key]
        self.diff.add("metadata", before["metadata"], after["metadata"])

        if not self.module.check_mode:
            if current is None:
                self.conn.put_container(self.name, headers={k: v for k, v in headers.items() if v != ""})
            elif headers:
                self.conn.post_container(self.name, headers=headers)
            if headers or current is None:
                after = self.head()
        return dict(container=after)


def main():
    module = AnsibleModule(
        argument_spec=swift_argument_spec(
            container=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            force=dict(type="bool", default=False),
            read_acl=dict(type="str"),
            write_acl=dict(type="str"),
            metadata=dict(type="dict", default={}),
            purge_metadata=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    run_and_exit(module, SwiftContainer(module).run)


if __name__ == "__main__":
    main()
