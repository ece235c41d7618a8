#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: registry_config_info
short_description: Read what a registry_server deployment on the host runs
version_added: 1.0.0
description:
  - Reads the C(config.yml) and C(compose.yml) that the P(wharf.registry.registry_server#role) role (or
    P(wharf.registry.registry_mirror#role), one directory per cache) wrote in O(config_dir), and returns what they
    say in the collection's hand-off shapes, so a run without a hand-off keeps what the host already runs.
  - Changes nothing; check mode runs it as usual.
  - The files are read on the host in one step and parsed on the controller (an action plugin), so the host needs no
    PyYAML; the TLS files and a storage CA mounted from elsewhere than O(storage_ca_file) take one more step each.
  - The storage comes back as the storage hand-off of P(wharf.registry.registry_storage_handoff#filter), with
    C(ca_cert) for s3 filled from the CA the compose project mounts into the container's trust store
    (else from the file O(storage_ca_file) beside C(config.yml), where the role keeps it).
  - Missing files give RV(exists=false) and empty answers, unless O(must_exist) names them.
  - RV(storage) and RV(redis) carry the storage's keys and the Redis password, as the roles need them to re-render
    C(config.yml); run it with C(no_log=true) wherever they pass.
options:
  config_dir:
    description: The directory of the deployment (C(registry_server_config_dir), or a cache's directory below
      C(registry_mirror_config_dir)).
    type: path
    required: true
  config_file:
    description: The registry's configuration in O(config_dir).
    type: str
    default: config.yml
  compose_file:
    description: The compose project in O(config_dir).
    type: str
    default: compose.yml
  storage_ca_file:
    description: The storage CA in O(config_dir), read when the compose project mounts none (or is missing).
    type: str
    default: storage-ca.crt
  tls_files:
    description:
      - Whether to look on the host for the TLS files C(config.yml) names (RV(tls.certificate), RV(tls.key),
        RV(tls.clientcas)); each takes one more step on the host.
      - When false, those three are false; RV(tls.enabled), RV(tls.scheme) and RV(tls.client_auth) still come from
        C(config.yml).
    type: bool
    default: true
  must_exist:
    description:
      - Files that must exist; a missing one fails the module with C(file not found) and its path.
      - By default a missing file gives empty answers, for a host that runs no registry yet.
    type: list
    elements: str
    choices: [config, compose]
    default: []
author:
  - wharf.registry maintainers (@wharf)
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the
      controller.
    support: full
    details:
      - The module reads the files on the host; the action plugin parses them on the controller.
extends_documentation_fragment:
  - wharf.registry.radosgw.info_attributes
seealso:
  - name: Registry configuration reference
    description: The config.yml sections read here.
    link: https://distribution.github.io/distribution/about/configuration/
"""

EXAMPLES = r"""
- name: Read what the registry on this host runs
  wharf.registry.registry_config_info:
    config_dir: /etc/wharf/registry
  register: deployed
  no_log: true

- name: Keep its storage and Redis when this run hands over none
  ansible.builtin.set_fact:
    registry_storage: "{{ registry_server_storage or deployed.storage }}"
    registry_redis: "{{ registry_server_redis or deployed.redis }}"
  no_log: true

- name: Say how it serves
  ansible.builtin.debug:
    msg: "{{ deployed.image }} ({{ deployed.major_version }}.x) over {{ deployed.tls.scheme }}"
"""

RETURN = r"""
exists:
  description: Whether O(config_file) exists.
  returned: always
  type: bool
  sample: true
config_path:
  description: The path of O(config_file).
  returned: always
  type: str
  sample: /etc/wharf/registry/config.yml
compose_exists:
  description: Whether O(compose_file) exists.
  returned: always
  type: bool
  sample: true
storage:
  description:
    - The storage hand-off C(config.yml) was rendered from (C(backend) and that backend's keys, as
      P(wharf.registry.registry_config_storage#filter) gives them), with the storage CA in C(ca_cert) for s3.
    - Empty when the file is missing or names no known storage.
    - Sensitive (the S3 secret key or the Swift password).
  returned: always
  type: dict
  sample:
    backend: s3
    endpoint: https://rgw.example.org:7480
    region: default
    bucket: registry
    access_key: REGISTRYKEY
    secret_key: "(sensitive)"
    validate_certs: true
    ca_cert: "-----BEGIN CERTIFICATE-----\n..."
    rootdirectory: ""
redis:
  description:
    - C(addr), C(password) and C(db) of the Redis blob descriptor cache, as
      P(wharf.registry.registry_config_redis#filter) gives them; empty when the cache is not Redis.
    - Sensitive (the password).
  returned: always
  type: dict
  sample: {addr: "cache.example.org:6379", password: "(sensitive)", db: 0}
image:
  description: The registry service's image in C(compose.yml); empty when unknown.
  returned: always
  type: str
  sample: registry:3.0.0
major_version:
  description: The registry's major version, from the image's tag, else from where C(config.yml) is mounted; 0 when
    neither tells.
  returned: always
  type: int
  sample: 3
proxy:
  description: Whether the registry is a pull-through cache (C(proxy.remoteurl) set).
  returned: always
  type: bool
  sample: false
proxy_remoteurl:
  description: The upstream of a pull-through cache; empty otherwise.
  returned: always
  type: str
  sample: https://registry-1.docker.io
readonly:
  description: Whether C(storage.maintenance.readonly.enabled) is true.
  returned: always
  type: bool
  sample: false
tls:
  description: What C(config.yml) says of TLS and whether the files it names are on the host (through the compose
    project's mounts).
  returned: always
  type: dict
  contains:
    enabled:
      description: Whether C(http.tls) is set.
      type: bool
    scheme:
      description: C(https) or C(http).
      type: str
    client_auth:
      description: Whether clients must present a certificate (C(http.tls.clientcas) names a CA).
      type: bool
    certificate:
      description: Whether the certificate file is on the host.
      type: bool
    key:
      description: Whether the key file is on the host.
      type: bool
    clientcas:
      description: Whether every client CA file is on the host (false when none is named).
      type: bool
  sample: {enabled: true, scheme: https, client_auth: true, certificate: true, key: true, clientcas: true}
http:
  description: The C(http) section of C(config.yml) without C(secret).
  returned: always
  type: dict
  sample: {addr: ":5000", headers: {X-Content-Type-Options: [nosniff]}, tls: {certificate: /etc/wharf/tls/registry.crt,
    key: /etc/wharf/tls/registry.key}}
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

# What the action plugin (plugins/action/registry_config_info.py) reads from this run on the host; it parses them on
# the controller and returns the documented results instead.
TEXTS = ("config_text", "compose_text", "storage_ca_text")


class RegistryConfigError(Exception):
    pass


def _read(path):
    """The file's text, or None when it does not exist."""
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8")
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise RegistryConfigError("%s is a directory, not a file." % path) from exc
    except (OSError, UnicodeError) as exc:
        raise RegistryConfigError("Cannot read %s: %s" % (path, to_native(exc))) from exc


def run(params):
    """The deployment's files, as text (None when missing); fails on a missing file must_exist names."""
    config_dir = params["config_dir"].rstrip("/") or "/"
    paths = {
        "config": os.path.join(config_dir, params["config_file"]),
        "compose": os.path.join(config_dir, params["compose_file"]),
        "storage_ca": os.path.join(config_dir, params["storage_ca_file"]),
    }
    texts = {name: _read(path) for name, path in paths.items()}
    for name in ("config", "compose"):
        if name in params["must_exist"] and texts[name] is None:
            # The sentence ansible.builtin.slurp gives, which the callers reported before this module.
            raise RegistryConfigError("file not found: %s" % paths[name])
    result = dict(changed=False, config_dir=config_dir, tls_files=params["tls_files"])
    result.update(("%s_path" % name, path) for name, path in paths.items())
    result.update(("%s_text" % name, text) for name, text in texts.items())
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config_dir=dict(type="path", required=True),
            config_file=dict(type="str", default="config.yml"),
            compose_file=dict(type="str", default="compose.yml"),
            storage_ca_file=dict(type="str", default="storage-ca.crt"),
            tls_files=dict(type="bool", default=True),
            must_exist=dict(type="list", elements="str", choices=["config", "compose"], default=[]),
        ),
        supports_check_mode=True,
    )
    try:
        module.exit_json(**run(module.params))
    except RegistryConfigError as exc:
        module.fail_json(msg=to_native(exc))


if __name__ == "__main__":
    main()
