# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every option of every module that holds a secret, by its name or by its documentation, has no_log=True in the
argument spec the module really builds: removing one makes this test fail."""

import importlib
import os
import re

import pytest
import yaml
from ansible.module_utils import basic

MODULES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "modules")
FRAGMENTS_DIR = os.path.join(MODULES_DIR, "..", "doc_fragments")
MODULES = sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith(".py") and name != "__init__.py")

SECRET_NAME = re.compile(r"secret|password|passw|passphrase|token|credential|(^|_)key$", re.IGNORECASE)
# Documented as a secret: the description says what the value is ("The Swift secret.", "Secret of the S3 key") or
# marks it "Sensitive.".
SECRET_DOC = re.compile(
    r"^(?:(?:the|a|an) )?(?:[\w-]+ ){0,3}(?:secret|password|token|passphrase)s?\b|(?:^|\. )Sensitive\b", re.IGNORECASE
)
# Options whose name or text suggests a secret but that hold none, each with the reason.
NOT_SECRET = {
    "access_key": "an S3 access key is the key's public identifier; its secret is secret_key",
    "s3_access_key": "the same, beside s3_secret_key",
    "client_key": "the path of a TLS client key on the host, not the key",
}


class SpecSeen(Exception):
    def __init__(self, spec):
        super().__init__("argument spec")
        self.spec = spec


def argument_spec(monkeypatch, name):
    """The argument spec module `name` hands AnsibleModule when its main() runs."""

    def capture(module, argument_spec=None, **kwargs):
        raise SpecSeen(argument_spec)

    monkeypatch.setattr(basic.AnsibleModule, "__init__", capture)
    module = importlib.import_module("ansible_collections.wharf.registry.plugins.modules." + name)
    with pytest.raises(SpecSeen) as seen:
        module.main()
    return seen.value.spec


def documented_options(name):
    """Option docs of the module and of the doc fragments it extends, by option name (suboptions flattened)."""
    module = importlib.import_module("ansible_collections.wharf.registry.plugins.modules." + name)
    docs = [yaml.safe_load(module.DOCUMENTATION)]
    for fragment in docs[0].get("extends_documentation_fragment") or []:
        parts = fragment.split(".")
        if len(parts) >= 3 and parts[:2] == ["wharf", "registry"]:
            fragment_module = importlib.import_module(
                "ansible_collections.wharf.registry.plugins.doc_fragments." + parts[2]
            )
            text = getattr(fragment_module.ModuleDocFragment, (parts[3] if len(parts) > 3 else "documentation").upper())
            docs.append(yaml.safe_load(text))
    options = {}

    def walk(opts, prefix):
        for option, doc in (opts or {}).items():
            options[prefix + option] = doc
            walk(doc.get("suboptions"), prefix + option + ".")

    for doc in docs:
        walk(doc.get("options"), "")
    return options


def spec_options(spec, prefix=""):
    for option, entry in spec.items():
        yield prefix + option, entry
        yield from spec_options(entry.get("options") or {}, prefix + option + ".")


def unprotected(spec, docs):
    """Options that look secret (name, or documentation) yet lack no_log=True."""
    found = []
    for option, entry in spec_options(spec):
        if entry.get("type") == "bool" or option.rsplit(".", 1)[-1] in NOT_SECRET:
            continue
        description = ((docs.get(option) or {}).get("description") or [""])[0]
        looks_secret = SECRET_NAME.search(option.rsplit(".", 1)[-1]) or SECRET_DOC.search(description)
        if looks_secret and entry.get("no_log") is not True:
            found.append(option)
    return found


@pytest.mark.parametrize("name", MODULES)
def test_every_secret_option_has_no_log(monkeypatch, name):
    spec = argument_spec(monkeypatch, name)
    assert spec, "%s built no argument spec" % name
    assert unprotected(spec, documented_options(name)) == []


def test_the_walk_sees_every_module():
    assert {"radosgw_user", "radosgw_subuser", "radosgw_user_info", "s3_bucket", "swift_container"} <= set(MODULES)


def test_a_secret_without_no_log_is_found():
    spec = dict(
        secret_key=dict(type="str", no_log=True),
        password=dict(type="str"),
        login=dict(type="dict", options=dict(api_token=dict(type="str", no_log=False))),
        phrase=dict(type="str"),
        access_key=dict(type="str", no_log=False),
        return_secrets=dict(type="bool"),
    )
    docs = {
        "phrase": {"description": ["The secret phrase."]},
        "login": {"description": ["V(1) is auth v1 (key = the subuser's secret)."]},
    }
    assert unprotected(spec, docs) == ["password", "login.api_token", "phrase"]


@pytest.mark.parametrize("option", ["admin_access_key", "admin_secret_key"])
def test_the_admin_ops_keys_are_found_if_they_lose_no_log(monkeypatch, option):
    from ansible_collections.wharf.registry.plugins.module_utils import _radosgw

    monkeypatch.setitem(_radosgw.RADOSGW_CONNECTION_SPEC, option, dict(type="str"))
    spec = argument_spec(monkeypatch, "radosgw_user")
    assert unprotected(spec, documented_options("radosgw_user")) == [option]
