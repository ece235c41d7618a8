#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: htpasswd
short_description: Make an htpasswd file hold exactly the given users, as bcrypt hashes of a chosen cost
version_added: 1.0.0
description:
  - Writes the htpasswd file that the registry's C(htpasswd) auth reads so that it holds exactly O(users), in their
    order, each password as a bcrypt hash of cost O(cost). Users not listed are removed.
  - A user's line is kept while its hash is bcrypt, of cost O(cost), and matches the password; otherwise it is hashed
    anew. So a run changes nothing when nothing changed, and a new O(cost) rehashes every user once.
  - The registry checks the bcrypt hash on every request that carries credentials, so the cost is paid per request
    (cost 12 takes about 4 times as long as 10); community.general.htpasswd always hashes at passlib's 12.
  - Needs passlib with a bcrypt backend on the host (Debian C(python3-passlib), C(python3-bcrypt)) when O(users) is
    not empty.
requirements:
  - passlib with a bcrypt backend (only with users)
author:
  - wharf.registry maintainers (@wharf)
attributes:
  check_mode:
    details:
      - Reports exactly what a real run would add, rehash and remove.
  diff_mode:
    details:
      - The user names before and after; never a hash.
options:
  path:
    description:
      - The htpasswd file. A new one gets mode C(0600); an existing one keeps its owner and mode. Without users and
        without a file nothing is written.
    type: path
    required: true
  users:
    description: The users the file holds afterwards.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: User name; no colon, no line break, not empty.
        type: str
        required: true
      password:
        description: The password; never logged or returned.
        type: str
        required: true
  cost:
    description: The bcrypt cost (log2 of the rounds), 4 to 31.
    type: int
    default: 10
extends_documentation_fragment:
  - wharf.registry.radosgw.attributes
"""

EXAMPLES = r"""
- name: The registry's users
  wharf.registry.htpasswd:
    path: /etc/wharf/registry/htpasswd
    users:
      - {name: ci, password: "{{ vault_registry_ci_password }}"}
      - {name: pull, password: "{{ vault_registry_pull_password }}"}
    cost: 10
"""

RETURN = r"""
added:
  description: Users that were not in the file.
  returned: always
  type: list
  elements: str
rehashed:
  description: Users whose password or cost changed, hashed anew.
  returned: always
  type: list
  elements: str
removed:
  description: Users that were in the file and are not listed any more.
  returned: always
  type: list
  elements: str
"""

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.wharf.registry.plugins.module_utils._files import write_atomically

try:
    from passlib.hash import bcrypt

    PASSLIB_ERROR = None
except ImportError:
    PASSLIB_ERROR = traceback.format_exc()


def parse_htpasswd(text):
    """The file's users as (name, hash) pairs in file order; blank lines and # comments are no users."""
    entries = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#") and ":" in line:
            name, hashed = line.split(":", 1)
            entries.append((name, hashed.strip()))
    return entries


def bcrypt_cost(hashed):
    """The cost of a bcrypt hash ($2a$, $2b$ or $2y$), or None for any other scheme."""
    parts = hashed.split("$")
    if len(parts) == 4 and parts[1] in ("2a", "2b", "2y") and parts[2].isdigit():
        return int(parts[2])
    return None


def keeps(hashed, password, cost):
    """Whether an existing hash may stay: bcrypt of the asked cost that matches the password."""
    if bcrypt_cost(hashed) != cost:
        return False
    try:
        return bcrypt.verify(password, hashed)
    except ValueError:
        return False


def plan(existing, users, cost, hasher):
    """The new file's lines and what changed, from the existing (name, hash) pairs and the wanted users."""
    old = dict(existing)
    lines, added, rehashed = [], [], []
    for user in users:
        hashed = old.get(user["name"])
        if hashed is not None and keeps(hashed, user["password"], cost):
            lines.append("%s:%s" % (user["name"], hashed))
            continue
        (added if hashed is None else rehashed).append(user["name"])
        lines.append("%s:%s" % (user["name"], hasher(user["password"])))
    wanted = {user["name"] for user in users}
    removed = [name for name, hashed in existing if name not in wanted]
    return lines, added, rehashed, removed


def problem(users, cost):
    """One sentence about bad input, or None."""
    if not 4 <= cost <= 31:
        return "cost must be 4 to 31 (bcrypt), not %d." % cost
    names = [user["name"] for user in users]
    bad = [name for name in names if not name or ":" in name or "\n" in name or "\r" in name]
    if bad:
        return "User names must be non-empty and hold no colon or line break: %s." % ", ".join(repr(n) for n in bad)
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        return "Each user is listed once, but %s appear more than once." % ", ".join(twice)
    return None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            users=dict(
                type="list",
                elements="dict",
                required=True,
                options=dict(
                    name=dict(type="str", required=True),
                    password=dict(type="str", required=True, no_log=True),
                ),
            ),
            cost=dict(type="int", default=10),
        ),
        supports_check_mode=True,
    )
    path, users, cost = module.params["path"], module.params["users"], module.params["cost"]
    # Without users nothing is hashed or verified, so a registry without auth needs no passlib on its host.
    if users and PASSLIB_ERROR:
        module.fail_json(msg=missing_required_lib("passlib"), exception=PASSLIB_ERROR)
    message = problem(users, cost)
    if message:
        module.fail_json(msg=message)

    created = not os.path.exists(path)
    text = ""
    if not created:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    existing = parse_htpasswd(text)
    hasher = bcrypt.using(rounds=cost).hash if users else None
    lines, added, rehashed, removed = plan(existing, users, cost, hasher)
    # No file and no users: nothing to write (the registry runs without auth).
    changed = bool(added or rehashed or removed)
    result = dict(changed=changed, added=added, rehashed=rehashed, removed=removed)
    if module._diff:
        result["diff"] = dict(
            before_header=path,
            after_header=path,
            before="".join("%s\n" % name for name, hashed in existing),
            after="".join("%s\n" % user["name"] for user in users),
        )
    if changed and not module.check_mode:
        if created:
            # Made 0600 before anything is in it; the rewrite keeps an existing file's mode.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        write_atomically(module, path, "".join(line + "\n" for line in lines), created=False)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
