# -*- coding: utf-8 -*-
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from ansible_collections.wharf.registry.plugins.module_utils._difference import (
    MASK,
    DifferenceTracker,
    mask_url_passwords,
)


def test_tracker_is_true_only_with_a_difference():
    tracker = DifferenceTracker()
    assert not tracker
    tracker.add("quota", 10, 10)
    assert not tracker
    tracker.add("quota", 10, 20)
    assert tracker
    assert tracker.names() == ["quota"]


def test_mask_url_passwords_in_nested_values():
    value = {"proxies": {"http-proxy": "http://bob:hunter2@proxy.example:3128", "no-proxy": "localhost"},
             "registry-mirrors": ["https://u:p%40ss@m.example", "https://m2.example"],
             "debug": True, "max-concurrent-downloads": 3}
    assert mask_url_passwords(value) == {
        "proxies": {"http-proxy": "http://bob:%s@proxy.example:3128" % MASK, "no-proxy": "localhost"},
        "registry-mirrors": ["https://u:%s@m.example" % MASK, "https://m2.example"],
        "debug": True, "max-concurrent-downloads": 3}
    assert value["proxies"]["http-proxy"] == "http://bob:hunter2@proxy.example:3128", "the input stays as it was"


def test_mask_url_passwords_leaves_text_without_a_password():
    text = '{"hosts": ["tcp://0.0.0.0:2375"], "insecure-registries": ["user@registry:5000"]}\n'
    assert mask_url_passwords(text) == text
