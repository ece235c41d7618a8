# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    # How the RGW modules reach RGW: radosgw-admin (the default) or the Admin Ops API (admin_endpoint). Set these
    # once for all of them with module_defaults: {group/wharf.registry.rgw: {...}}.
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
  admin_endpoint:
    description:
      - URL (scheme, host and port) of RGW, for example V(https://rgw.example.com:443); setting it chooses the
        Admin Ops API transport (C(/admin/user) and its C(?subuser), C(?key), C(?caps), C(?quota) subresources)
        instead of radosgw-admin, so the module needs no Ceph keyring nor shell on a Ceph host, only this
        endpoint and O(admin_access_key)/O(admin_secret_key).
      - The options of radosgw-admin (O(cluster), O(conf), O(keyring), O(client_name), O(cmd_prefix),
        O(executable)) are then not used.
    type: str
  admin_access_key:
    description:
      - S3 access key of the RGW user the Admin Ops API calls are signed as (AWS Signature Version 4). Required
        with O(admin_endpoint).
      - That user needs the cap C(users=read) for reading users (M(wharf.registry.radosgw_user_info), and check
        mode) and C(users=*) for changing them; no other cap is used.
    type: str
  admin_secret_key:
    description:
      - Secret of O(admin_access_key). Required with O(admin_endpoint). It signs requests and is never sent.
    type: str
  validate_certs:
    description:
      - With an V(https://) O(admin_endpoint), verify RGW's TLS certificate.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA certificates that RGW's TLS certificate is verified against, instead of the system's.
    type: path
notes:
  - With radosgw-admin (the default), every change goes through an argv list (no shell, no expansion of C($VAR) or
    C(~)), so every value reaches RGW exactly as given.
  - A radosgw-admin failure fails the task with its C(rc), C(stdout), C(stderr) and the command, with the secrets
    passed and every secret-looking JSON member (C(secret_key), ...) replaced by C(********), also when a
    O(cmd_prefix) banner keeps the output from being parsed.
  - "What appears in argv with radosgw-admin, readable by other local users of the host that runs it (C(ps),
    C(/proc/*/cmdline)) and in the log of a O(cmd_prefix) such as cephadm: the O(cmd_prefix), C(env LC_ALL=C)
    (with a prefix), the executable, C(--cluster), C(-c), C(-n), C(-k) (paths and names, never key material), and
    then every module option given: the uid, subuser, display name, e-mail, caps, quotas, access keys, and a given
    S3 secret (C(--secret-key=...) of C(user create) and C(key create)) or a given Swift secret (C(--secret-key=...)
    of C(subuser create) and C(key create)). Generated secrets never appear in argv. To keep a given secret out of
    argv, use O(admin_endpoint)."
  - With O(admin_endpoint), nothing is run on any host and nothing of a request appears in argv. Every request is
    signed with the admin key; a given secret travels only as a query parameter of a signed request (use an
    V(https://) endpoint so it is also encrypted). RGW itself writes each request line, query included, to its log
    at C(debug_rgw) 1 (its default), so a given secret can be read in the RGW log on the RGW host; generated
    secrets never leave RGW but in answers.
  - A failure of the Admin Ops API fails the task with one sentence, the HTTP status and the request as
    C(METHOD /admin/user?query) with the secrets given replaced by C(********); the answer is never shown. An admin
    key that lacks the caps fails with C(RGW refused ... (AccessDenied)), a wrong one with C(RGW rejected the admin
    key).
  - The Admin Ops API answers users with C(tenant), C(system) and C(admin) set apart; the modules return them as
    radosgw-admin prints them (C(tenant$uid), C(system)/C(admin) only when true), so both transports return the same.
requirements:
  - radosgw-admin on the managed host, or behind O(cmd_prefix); or, with O(admin_endpoint), nothing but network
    access to RGW.
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
