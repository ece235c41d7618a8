# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""registry_config_info on the controller: the module reads the deployment's files on the host in one step (the
host needs no PyYAML), this parses them and answers in the hand-off shapes of module_utils/_registry_config.py.
The TLS files config.yml names, and a storage CA mounted from elsewhere, are looked at on the host only when named.
"""

import base64

import yaml
from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.wharf.registry.plugins.module_utils._registry_config import HandoffError, deployment

MODULE = "wharf.registry.registry_config_info"


def _parse(text, path):
    if text is None:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        # Only where: PyYAML's own message quotes the line, which may hold a secret.
        mark = getattr(exc, "problem_mark", None)
        where = " (line %d, column %d)" % (mark.line + 1, mark.column + 1) if mark is not None else ""
        raise AnsibleActionFail("%s is not YAML%s." % (path, where)) from None


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = True

    def _host(self, module_name, args, task_vars):
        return self._execute_module(module_name=module_name, module_args=args, task_vars=task_vars)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        try:
            return self._run(result, task_vars)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

    def _run(self, result, task_vars):
        read = self._host(MODULE, dict(self._task.args), task_vars)
        if read.get("failed"):
            result.update(read)
            return result

        def is_file(path):
            if not read["tls_files"]:
                return False
            found = self._host("ansible.legacy.stat", {"path": path, "get_checksum": False}, task_vars)
            return bool(found.get("stat", {}).get("isreg"))

        def read_file(path):
            found = self._host("ansible.legacy.slurp", {"src": path}, task_vars)
            if found.get("failed") or "content" not in found:
                return None
            return to_text(base64.b64decode(found["content"]), errors="surrogate_or_strict")

        try:
            config = _parse(read["config_text"], read["config_path"])
            compose = _parse(read["compose_text"], read["compose_path"])
            info = deployment(
                config,
                compose,
                read["config_dir"],
                read["storage_ca_path"],
                read["storage_ca_text"],
                is_file,
                read_file,
            )
        except HandoffError as exc:
            raise AnsibleActionFail("%s: %s" % (read["config_path"], exc)) from None
        result.update(
            changed=False,
            exists=read["config_text"] is not None,
            config_path=read["config_path"],
            compose_exists=read["compose_text"] is not None,
            **info,
        )
        return result
