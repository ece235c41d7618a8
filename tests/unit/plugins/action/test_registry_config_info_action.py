# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""registry_config_info against deployments as registry_server renders them: s3 3.x with Redis, TLS with client CAs
and a storage CA; swift 2.8; filesystem 2.8 read-only with Redis (2.x's addr); a pull-through cache on s3. The
action plugin runs with the real module for its read on the host and local stat/slurp stand-ins; each case reads the
same in check mode, changes nothing, and takes the round trips it names; the hand-off shapes are the filters' own."""

import base64
import os
import re
from unittest.mock import MagicMock

import pytest
import yaml
from ansible.errors import AnsibleActionFail

from ansible_collections.wharf.registry.plugins.action.registry_config_info import MODULE, ActionModule
from ansible_collections.wharf.registry.plugins.filter.registry_config import (
    registry_config_redis,
    registry_config_storage,
)
from ansible_collections.wharf.registry.plugins.modules.registry_config_info import TEXTS, main

# Rendered by roles/registry_server/templates/config.yml.j2 and compose.yml.j2 (ansible-core 2.19, the role's
# defaults) with registry_server_config_dir /etc/wharf/registry (the cache's: /etc/wharf/mirrors/hub); the tests
# write them into a temporary directory in place of that one.
S3_TLS_REDIS_CONFIG = """\
# Ansible managed
# CNCF distribution 3.x configuration for localhost.
version: 0.1
log:
  fields:
    service: registry
storage:
  s3:
    accesskey: "AKREG"
    secretkey: "s3cr$t ~ 'q' \\"d\\""
    region: "default"
    regionendpoint: "https://rgw.lab:7480"
    bucket: "registry"
    secure: true
    skipverify: false
    forcepathstyle: true
    chunksize: 10485760
    multipartcopychunksize: 33554432
    multipartcopymaxconcurrency: 100
    multipartcopythresholdsize: 5368709120
  cache:
    blobdescriptor: redis
  delete:
    enabled: true
  redirect:
    disable: true
  maintenance:
    uploadpurging:
      enabled: true
      age: 168h
      interval: 24h
      dryrun: false
    readonly:
      enabled: false
http:
  addr: ":5000"
  secret: "Secr3tHttp"
  headers:
    X-Content-Type-Options: ["nosniff"]
  tls:
    certificate: /etc/wharf/tls/registry.crt
    key: /etc/wharf/tls/registry.key
    # Every client must present a certificate of this CA (tls.RequireAndVerifyClientCert): the balancers.
    clientcas: [/etc/wharf/tls/client-ca.crt]
auth:
  htpasswd:
    realm: "wharf registry"
    path: /etc/wharf/htpasswd
redis:
  addrs: ["cache.lab:6379"]
  password: "p$w ~"
  db: 2
  dialtimeout: 250ms
  readtimeout: 250ms
  writetimeout: 250ms
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
"""

S3_TLS_REDIS_COMPOSE = """\
# Ansible managed
name: wharf-registry
services:
  registry:
    image: "registry.lab:5000/wharf/registry:3.0.0"
    restart: always
    ports:
      - "0.0.0.0:5000:5000"
    # Bounded whatever the daemon's default driver: every request is a line.
    logging:
      driver: local
      options:
        max-size: "10m"
        max-file: "3"
    labels:
      org.wharf.mounted-digest: "fbe34e855acba885e099056afc7983ce3ce7add76cf7484c817296217d4df4f4"
    volumes:
      - /etc/wharf/registry/config.yml:/etc/distribution/config.yml:ro
      - /etc/wharf/registry/htpasswd:/etc/wharf/htpasswd:ro
      - /etc/wharf/registry/tls:/etc/wharf/tls:ro
      - /etc/wharf/registry/storage-ca.crt:/etc/ssl/certs/wharf-storage-ca.crt:ro
"""

SWIFT_CONFIG = """\
# Ansible managed
# CNCF distribution 2.x configuration for localhost.
version: 0.1
log:
  fields:
    service: registry
storage:
  swift:
    authurl: "https://rgw.lab:7480/auth/v1"
    username: "registry:swift"
    password: "sw1ft"
    container: "registry"
    authversion: 1
    chunksize: 20971520
    insecureskipverify: true
  cache:
    blobdescriptor: inmemory
  delete:
    enabled: true
  redirect:
    disable: true
  maintenance:
    uploadpurging:
      enabled: true
      age: 168h
      interval: 24h
      dryrun: false
    readonly:
      enabled: false
http:
  addr: ":5000"
  secret: "Secr3tHttp"
  headers:
    X-Content-Type-Options: ["nosniff"]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
"""

SWIFT_COMPOSE = """\
# Ansible managed
name: wharf-registry
services:
  registry:
    image: "docker.io/library/registry:2.8.3"
    restart: always
    ports:
      - "0.0.0.0:5000:5000"
    # Bounded whatever the daemon's default driver: every request is a line.
    logging:
      driver: local
      options:
        max-size: "10m"
        max-file: "3"
    labels:
      org.wharf.mounted-digest: "a6810b16fc81eb80bcf20c6e8c6befa52e9e32c58f452b4ce7b422c463ccef06"
    volumes:
      - /etc/wharf/registry/config.yml:/etc/docker/registry/config.yml:ro
"""

FILESYSTEM_CONFIG = """\
# Ansible managed
# CNCF distribution 2.x configuration for localhost.
version: 0.1
log:
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  cache:
    blobdescriptor: redis
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: true
      age: 168h
      interval: 24h
      dryrun: false
    readonly:
      enabled: true
http:
  addr: ":5000"
  secret: "Secr3tHttp"
  headers:
    X-Content-Type-Options: ["nosniff"]
redis:
  addr: "10.0.0.5:6379"
  db: 0
  dialtimeout: 250ms
  readtimeout: 250ms
  writetimeout: 250ms
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
"""

FILESYSTEM_COMPOSE = """\
# Ansible managed
name: wharf-registry
services:
  registry:
    image: "docker.io/library/registry:2.8.3"
    restart: always
    ports:
      - "0.0.0.0:5000:5000"
    # Bounded whatever the daemon's default driver: every request is a line.
    logging:
      driver: local
      options:
        max-size: "10m"
        max-file: "3"
    labels:
      org.wharf.mounted-digest: "9d00f8d2f71c16b1cb91a5c3ecbd41ee127274db69a29f59473ea9c9970eae23"
    volumes:
      - /etc/wharf/registry/config.yml:/etc/docker/registry/config.yml:ro
      - /var/lib/wharf/registry:/var/lib/registry
"""

PROXY_CONFIG = """\
# Ansible managed
# CNCF distribution 3.x configuration for localhost.
version: 0.1
log:
  fields:
    service: registry
storage:
  s3:
    accesskey: "AKMIR"
    secretkey: "m1rr0r"
    region: "default"
    regionendpoint: "http://rgw.lab:7480"
    bucket: "mirrors"
    rootdirectory: "/mirror1/hub"
    secure: false
    skipverify: false
    forcepathstyle: true
    chunksize: 10485760
    multipartcopychunksize: 33554432
    multipartcopymaxconcurrency: 100
    multipartcopythresholdsize: 5368709120
  cache:
    blobdescriptor: inmemory
  delete:
    enabled: true
  redirect:
    disable: true
  maintenance:
    uploadpurging:
      enabled: true
      age: 168h
      interval: 24h
      dryrun: false
    readonly:
      enabled: false
http:
  addr: ":5000"
  secret: "Secr3tHttp"
  headers:
    X-Content-Type-Options: ["nosniff"]
proxy:
  remoteurl: "https://registry-1.docker.io"
  username: "hubuser"
  password: "hubpass"
  ttl: "168h"
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
"""

PROXY_COMPOSE = """\
# Ansible managed
name: wharf-mirror-hub
services:
  registry:
    image: "registry.lab:5000/wharf/registry:3.0.0"
    restart: always
    ports:
      - "0.0.0.0:5001:5000"
    # Bounded whatever the daemon's default driver: every request is a line.
    logging:
      driver: local
      options:
        max-size: "10m"
        max-file: "3"
    labels:
      org.wharf.mounted-digest: "9cc978f31a40d799c8861844cda6d9a4ea2e0eb2dcd33008c14acbde5a8bf2c3"
    volumes:
      - /etc/wharf/mirrors/hub/config.yml:/etc/distribution/config.yml:ro
"""

CA = "-----BEGIN CERTIFICATE-----\nMIIBstorage\n-----END CERTIFICATE-----\n"
CASES = {
    "s3_tls_redis": ("/etc/wharf/registry", S3_TLS_REDIS_CONFIG, S3_TLS_REDIS_COMPOSE),
    "swift": ("/etc/wharf/registry", SWIFT_CONFIG, SWIFT_COMPOSE),
    "filesystem": ("/etc/wharf/registry", FILESYSTEM_CONFIG, FILESYSTEM_COMPOSE),
    "proxy": ("/etc/wharf/mirrors/hub", PROXY_CONFIG, PROXY_COMPOSE),
}


class Action(ActionModule):
    """The action plugin with the host played locally: the real module for its read, stat and slurp by hand."""

    def __init__(self, run_module, params, check_mode):
        task = MagicMock(args=params, check_mode=check_mode, async_val=0)
        super().__init__(task, MagicMock(), MagicMock(), None, None)
        self.run_module, self.check_mode, self.calls = run_module, check_mode, []

    def _remove_tmp_path(self, tmp_path, force=False):
        pass

    def _host(self, module_name, args, task_vars):
        self.calls.append((module_name, args.get("path") or args.get("src")))
        if module_name == MODULE:
            ran = self.run_module(main, args, check_mode=self.check_mode)
            return dict(ran.result, failed=True) if ran.failed else ran.result
        if module_name == "ansible.legacy.stat":
            return {"stat": {"exists": os.path.exists(args["path"]), "isreg": os.path.isfile(args["path"])}}
        assert module_name == "ansible.legacy.slurp"
        if not os.path.isfile(args["src"]):
            return {"failed": True, "msg": "file not found: %s" % args["src"]}
        with open(args["src"], "rb") as handle:
            return {"content": base64.b64encode(handle.read()).decode()}


def deploy(tmp_path, case, storage_ca=True, tls_files=("registry.crt", "registry.key", "client-ca.crt")):
    """The case's files in a temporary config_dir, as the role lays them out (tls/, storage-ca.crt beside)."""
    rendered_dir, config, compose = CASES[case]
    config_dir = tmp_path / "registry"
    (config_dir / "tls").mkdir(parents=True)
    (config_dir / "config.yml").write_text(config, encoding="utf-8")
    (config_dir / "compose.yml").write_text(compose.replace(rendered_dir, str(config_dir)), encoding="utf-8")
    if storage_ca and "storage-ca.crt" in compose:
        (config_dir / "storage-ca.crt").write_text(CA, encoding="utf-8")
    if "tls:" in config:
        for name in tls_files:
            (config_dir / "tls" / name).write_text("PEM", encoding="utf-8")
    return config_dir


def run_action(run_module, params, check_mode=False):
    action = Action(run_module, params, check_mode)
    return action.run(task_vars={}), action.calls


def read(run_module, config_dir, trips=1, **params):
    """Runs it in check mode and for real; both must give the same, unchanged, leave the files alone and take
    `trips` steps on the host (the module's read, then a stat or slurp each)."""
    before = {path: path.read_bytes() for path in config_dir.rglob("*") if path.is_file()}
    params = dict({"config_dir": str(config_dir)}, **params)
    checked = run_action(run_module, params, check_mode=True)[0]
    applied, calls = run_action(run_module, params)
    assert checked == applied and not applied.get("failed")
    assert applied["changed"] is False
    assert {path: path.read_bytes() for path in config_dir.rglob("*") if path.is_file()} == before
    assert len(calls) == trips, calls
    assert not set(applied) & set(TEXTS), "the files' texts stay in the action"
    return applied


def test_s3_with_redis_tls_client_cas_and_a_storage_ca(run_module, tmp_path):
    config_dir = deploy(tmp_path, "s3_tls_redis")
    # The read, then a stat of each TLS file.
    result = read(run_module, config_dir, trips=4)
    assert result["exists"] and result["compose_exists"]
    assert result["config_path"] == str(config_dir / "config.yml")
    assert result["storage"] == {
        "backend": "s3",
        "endpoint": "https://rgw.lab:7480",
        "region": "default",
        "bucket": "registry",
        "access_key": "AKREG",
        "secret_key": "s3cr$t ~ 'q' \"d\"",
        "validate_certs": True,
        "ca_cert": CA,
        "rootdirectory": "",
    }
    assert result["redis"] == {"addr": "cache.lab:6379", "password": "p$w ~", "db": 2}
    assert result["image"] == "registry.lab:5000/wharf/registry:3.0.0" and result["major_version"] == 3
    assert (result["proxy"], result["proxy_remoteurl"], result["readonly"]) == (False, "", False)
    assert result["tls"] == {
        "enabled": True,
        "scheme": "https",
        "client_auth": True,
        "certificate": True,
        "key": True,
        "clientcas": True,
    }
    assert result["http"] == {
        "addr": ":5000",
        "headers": {"X-Content-Type-Options": ["nosniff"]},
        "tls": {
            "certificate": "/etc/wharf/tls/registry.crt",
            "key": "/etc/wharf/tls/registry.key",
            "clientcas": ["/etc/wharf/tls/client-ca.crt"],
        },
    }
    assert "Secr3tHttp" not in repr(result)


@pytest.mark.parametrize("case", sorted(CASES))
def test_storage_and_redis_are_what_the_filters_give(run_module, tmp_path, case):
    """One hand-off shape: the module's storage is the filter's plus the CA the container trusts."""
    result = read(run_module, deploy(tmp_path, case), trips=4 if case == "s3_tls_redis" else 1)
    config = yaml.safe_load(CASES[case][1])
    expected = registry_config_storage(config)
    if expected["backend"] == "s3":
        expected["ca_cert"] = CA if "storage-ca.crt" in CASES[case][2] else ""
    assert result["storage"] == expected
    assert result["redis"] == registry_config_redis(config)


def test_swift_2x(run_module, tmp_path):
    result = read(run_module, deploy(tmp_path, "swift"))
    assert result["storage"] == {
        "backend": "swift",
        "auth_url": "https://rgw.lab:7480/auth/v1",
        "auth_version": 1,
        "username": "registry:swift",
        "password": "sw1ft",
        "container": "registry",
        "validate_certs": False,
    }
    assert result["redis"] == {} and result["major_version"] == 2
    assert result["tls"] == {
        "enabled": False,
        "scheme": "http",
        "client_auth": False,
        "certificate": False,
        "key": False,
        "clientcas": False,
    }


def test_filesystem_read_only_with_redis_2x(run_module, tmp_path):
    result = read(run_module, deploy(tmp_path, "filesystem"))
    assert result["storage"] == {"backend": "filesystem"}
    assert result["redis"] == {"addr": "10.0.0.5:6379", "password": "", "db": 0}
    assert result["readonly"] is True
    assert result["image"] == "docker.io/library/registry:2.8.3" and result["major_version"] == 2


def test_pull_through_cache(run_module, tmp_path):
    result = read(run_module, deploy(tmp_path, "proxy"))
    assert (result["proxy"], result["proxy_remoteurl"]) == (True, "https://registry-1.docker.io")
    assert result["storage"]["rootdirectory"] == "/mirror1/hub" and result["storage"]["ca_cert"] == ""
    # The upstream's credentials are not part of any answer.
    assert "hubpass" not in repr(result)


def test_the_storage_ca_is_read_where_the_compose_project_mounts_it(run_module, tmp_path):
    config_dir = deploy(tmp_path, "s3_tls_redis", storage_ca=False)
    elsewhere = tmp_path / "pki" / "rgw-ca.pem"
    elsewhere.parent.mkdir()
    elsewhere.write_text("MOUNTED", encoding="utf-8")
    compose = config_dir / "compose.yml"
    compose.write_text(
        compose.read_text(encoding="utf-8").replace(str(config_dir / "storage-ca.crt"), str(elsewhere)),
        encoding="utf-8",
    )
    # The read, a slurp of the mounted CA, the TLS files' stats.
    assert read(run_module, config_dir, trips=5)["storage"]["ca_cert"] == "MOUNTED"


def test_the_storage_ca_beside_config_is_read_when_there_is_no_compose_project(run_module, tmp_path):
    # A run that died between config.yml and compose.yml: the CA the role wrote beside config.yml still counts.
    config_dir = deploy(tmp_path, "s3_tls_redis")
    (config_dir / "compose.yml").unlink()
    result = read(run_module, config_dir)
    assert result["storage"]["ca_cert"] == CA
    assert not result["compose_exists"] and result["image"] == "" and result["major_version"] == 0
    # Without the compose project's mounts nothing tells where the TLS files are on the host: none is looked at.
    assert result["tls"]["enabled"] and not result["tls"]["certificate"]


def test_tls_files_false_looks_at_nothing_more(run_module, tmp_path):
    tls = read(run_module, deploy(tmp_path, "s3_tls_redis"), tls_files=False)["tls"]
    assert tls == {
        "enabled": True,
        "scheme": "https",
        "client_auth": True,
        "certificate": False,
        "key": False,
        "clientcas": False,
    }


def test_missing_tls_files_are_reported(run_module, tmp_path):
    tls = read(run_module, deploy(tmp_path, "s3_tls_redis", tls_files=("registry.crt",)), trips=4)["tls"]
    assert (tls["certificate"], tls["key"], tls["clientcas"]) == (True, False, False)


def test_no_deployment_gives_empty_answers(run_module, tmp_path):
    result = read(run_module, tmp_path)
    assert result == {
        "changed": False,
        "exists": False,
        "config_path": str(tmp_path / "config.yml"),
        "compose_exists": False,
        "storage": {},
        "redis": {},
        "image": "",
        "major_version": 0,
        "proxy": False,
        "proxy_remoteurl": "",
        "readonly": False,
        "tls": {
            "enabled": False,
            "scheme": "http",
            "client_auth": False,
            "certificate": False,
            "key": False,
            "clientcas": False,
        },
        "http": {},
    }


def test_a_storage_ca_without_config_is_not_a_storage(run_module, tmp_path):
    (tmp_path / "storage-ca.crt").write_text(CA, encoding="utf-8")
    assert read(run_module, tmp_path)["storage"] == {}


@pytest.mark.parametrize("missing", ["config", "compose"])
def test_must_exist_fails_as_slurp_did(run_module, tmp_path, missing):
    config_dir = deploy(tmp_path, "swift")
    (config_dir / ("%s.yml" % missing)).unlink()
    result, calls = run_action(run_module, {"config_dir": str(config_dir), "must_exist": ["config", "compose"]})
    assert result["failed"] and result["msg"] == "file not found: %s" % (config_dir / ("%s.yml" % missing))
    assert not set(result) & set(TEXTS) and len(calls) == 1
    # Without must_exist the same directory is read.
    assert not run_action(run_module, {"config_dir": str(config_dir)})[0].get("failed")


def test_other_file_names(run_module, tmp_path):
    config_dir = deploy(tmp_path, "filesystem")
    os.rename(config_dir / "config.yml", config_dir / "registry.yml")
    os.rename(config_dir / "compose.yml", config_dir / "docker-compose.yml")
    result = read(run_module, config_dir, config_file="registry.yml", compose_file="docker-compose.yml")
    assert result["storage"] == {"backend": "filesystem"} and result["major_version"] == 2


@pytest.mark.parametrize(
    "text, message",
    [
        ("storage:\n  s3: {secretkey: s3cr3t\n", r"config\.yml is not YAML \(line 3, column 1\)\.$"),
        ("storage:\n  swift:\n    authversion: x\n", r"needs auth_version to be a number, not 'x'\.$"),
    ],
)
def test_unreadable_config_fails_with_one_sentence(run_module, tmp_path, text, message):
    (tmp_path / "config.yml").write_text(text, encoding="utf-8")
    with pytest.raises(AnsibleActionFail) as failed:
        run_action(run_module, {"config_dir": str(tmp_path)})
    assert failed.value.message.startswith(str(tmp_path / "config.yml"))
    assert re.search(message, failed.value.message) and "s3cr3t" not in failed.value.message
