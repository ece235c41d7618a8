# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Write values into systemd unit files so that the process gets them exactly.

systemd reads an Environment= assignment as a word that may be double-quoted (spaces stay) with C-style backslash
escapes, and then expands % specifiers in it (%n, %h, ...; %% is a literal %); $ has no meaning there
(systemd.exec(5) "Environment=", systemd.syntax(7) "Quoting", systemd.unit(5) "Specifiers").
"""

import re

from ansible.errors import AnsibleFilterError

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Control characters a unit file line cannot hold as they are.
_CONTROL = re.compile(r"[\x01-\x1f\x7f]")


def systemd_environment(value, name):
    """The double-quoted Environment= word that sets name to value ('"HTTP_PROXY=http://u:p%%40ss@proxy"')."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise AnsibleFilterError("systemd_environment: %r is not an environment variable name." % (name,))
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise AnsibleFilterError(
            "systemd_environment takes a string value for %s, not %s." % (name, type(value).__name__)
        )
    value = str(value)
    if "\0" in value:
        raise AnsibleFilterError(
            "systemd_environment: the value of %s holds a NUL character, which no environment variable can." % name
        )
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    escaped = _CONTROL.sub(lambda match: "\\x%02x" % ord(match.group(0)), escaped)
    return '"%s=%s"' % (name, escaped)


class FilterModule:
    def filters(self):
        return {
            "systemd_environment": systemd_environment,
        }
