# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Environment= words as systemd 252 (Debian 12) read them back into a process's environment: each expected line
below was checked with a unit whose ExecStart printed its environment."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wharf.registry.plugins.filter.systemd import FilterModule, systemd_environment


@pytest.mark.parametrize(
    "value, word",
    [
        ("http://proxy:3128", '"HTTP_PROXY=http://proxy:3128"'),
        # % starts a specifier (%40 would be refused as an unknown one), so it is doubled.
        ("http://u:p%40ss@proxy:3128", '"HTTP_PROXY=http://u:p%%40ss@proxy:3128"'),
        # Quotes and backslashes are escaped; $ and single quotes mean nothing inside the double quotes.
        ("http://u:a\"b\\c$d'e@proxy", '"HTTP_PROXY=http://u:a\\"b\\\\c$d\'e@proxy"'),
        ("a b", '"HTTP_PROXY=a b"'),
        ("tab\there\nline\x7f", '"HTTP_PROXY=tab\\x09here\\x0aline\\x7f"'),
        ("\u00e9t\u00e9", '"HTTP_PROXY=\u00e9t\u00e9"'),
        ("", '"HTTP_PROXY="'),
        (3128, '"HTTP_PROXY=3128"'),
    ],
)
def test_systemd_environment_quotes_and_escapes(value, word):
    assert systemd_environment(value, "HTTP_PROXY") == word


@pytest.mark.parametrize(
    "value, name, words",
    [
        ("x", "HTTP PROXY", "not an environment variable name"),
        ("x", "1X", "not an environment variable name"),
        ("x", "A=B", "not an environment variable name"),
        ("a\0b", "X", "NUL character"),
        (["a"], "X", "takes a string value for X, not list"),
        (True, "X", "takes a string value for X, not bool"),
    ],
)
def test_systemd_environment_refuses_what_systemd_cannot_carry(value, name, words):
    with pytest.raises(AnsibleFilterError, match=words):
        systemd_environment(value, name)


def test_filter_is_registered():
    assert FilterModule().filters()["systemd_environment"] is systemd_environment
