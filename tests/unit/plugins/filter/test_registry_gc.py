# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Garbage collection reports recorded from real registries 2.8.2 and 3.1.2 (fixtures/garbage_collect/record.py)."""

import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wharf.registry.plugins.filter.registry_gc import (
    FilterModule,
    registry_gc_bytes,
    registry_gc_cache_commands,
    registry_gc_report,
)

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "garbage_collect")
RELEASES = ("2.8.2", "3.1.2")
REPOSITORIES = ["wharf-test/gone", "wharf-test/index", "wharf-test/old"]


def recording(release):
    with open(os.path.join(FIXTURES, "registry-%s.json" % release), encoding="utf-8") as handle:
        return json.load(handle)


def pushed_blobs(image):
    return [image["manifest"]] + image["blobs"]


def index_blobs(pushed):
    return [pushed["index"]["manifest"]] + [d for child in pushed["index"]["children"] for d in pushed_blobs(child)]


@pytest.mark.parametrize("release", RELEASES)
def test_dry_run_frees_the_deleted_manifest_and_its_layers(release):
    """Both releases: the manifest deleted through the API, its config and its layer; nothing untagged."""
    rec = recording(release)
    report = registry_gc_report(rec["steps"]["dry_run"])
    assert report["repositories"] == REPOSITORIES
    assert report["marked"] == 13
    assert sorted(report["blobs"]) == sorted(pushed_blobs(rec["pushed"]["gone"]))
    assert report["manifests"] == []


def test_untagged_on_3_keeps_a_tagged_index_whole():
    rec = recording("3.1.2")
    report = registry_gc_report(rec["steps"]["delete_untagged"])
    old = rec["pushed"]["old"]
    assert sorted(report["blobs"]) == sorted(pushed_blobs(old) + pushed_blobs(rec["pushed"]["gone"]))
    assert not set(report["blobs"]) & set(index_blobs(rec["pushed"]))
    assert report["manifests"] == [{"repository": "wharf-test/old", "digest": old["manifest"]}]
    assert sorted((link["repository"], link["digest"]) for link in report["layer_links"]) == sorted(
        [("wharf-test/old", d) for d in old["blobs"]] + [("wharf-test/gone", d) for d in rec["pushed"]["gone"]["blobs"]]
    )


def test_untagged_on_2_deletes_a_tagged_index_s_platform_images():
    """distribution#3178, as 2.8.2 really does it: why registry_server refuses delete_untagged with 2.x."""
    rec = recording("2.8.2")
    report = registry_gc_report(rec["steps"]["delete_untagged"])
    children = rec["pushed"]["index"]["children"]
    # The index stays tagged, but its platform images lose their manifests' links and their config and layers.
    assert {d for child in children for d in child["blobs"]} <= set(report["blobs"])
    # 2.x names an untagged manifest without its repository: the section it appears in gives it.
    assert report["manifests"] == [
        {"repository": "wharf-test/index", "digest": children[1]["manifest"]},
        {"repository": "wharf-test/index", "digest": children[0]["manifest"]},
        {"repository": "wharf-test/old", "digest": rec["pushed"]["old"]["manifest"]},
    ]
    assert report["layer_links"] == []


@pytest.mark.parametrize("release", RELEASES)
def test_a_second_run_finds_nothing(release):
    report = registry_gc_report(recording(release)["steps"]["dry_run_after"])
    assert (report["blobs"], report["manifests"], report["layer_links"]) == ([], [], [])
    assert registry_gc_cache_commands(report) == []


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "wharf-test/old\nwharf-test/old: marking manifest sha256:" + "a" * 64,
        # Cut short after the summary: one of the two announced blobs is missing.
        "1 blobs marked, 2 blobs and 0 manifests eligible for deletion\nblob eligible for deletion: sha256:" + "b" * 64,
        "failed to mark: something went wrong",
    ],
)
def test_what_is_not_a_whole_report_reads_as_nothing(text):
    assert registry_gc_report(text) == {}


def test_cache_commands_for_3():
    rec = recording("3.1.2")
    commands = registry_gc_cache_commands(registry_gc_report(rec["steps"]["delete_untagged"]))
    old, gone = rec["pushed"]["old"], rec["pushed"]["gone"]
    for digest in pushed_blobs(old) + pushed_blobs(gone):
        assert "DEL blobs::%s" % digest in commands
    for repository, digests in (("wharf-test/old", pushed_blobs(old)), ("wharf-test/gone", gone["blobs"])):
        for digest in digests:
            assert "SREM repository::%s::blobs %s" % (repository, digest) in commands
            assert "DEL repository::%s::blobs::%s" % (repository, digest) in commands
    assert len(commands) == 6 + 2 * 5
    assert not any(digest in command for command in commands for digest in index_blobs(rec["pushed"]))


def test_cache_commands_for_2_forget_the_blobs_and_the_untagged_manifests():
    rec = recording("2.8.2")
    report = registry_gc_report(rec["steps"]["delete_untagged"])
    commands = registry_gc_cache_commands(report)
    assert commands[:10] == ["DEL blobs::%s" % digest for digest in report["blobs"]]
    assert commands[10:12] == [
        "SREM repository::wharf-test/index::blobs %s" % report["manifests"][0]["digest"],
        "DEL repository::wharf-test/index::blobs::%s" % report["manifests"][0]["digest"],
    ]
    assert len(commands) == 10 + 2 * 3


@pytest.mark.parametrize(
    "report",
    [
        {},
        None,
        {"marked": 1, "blobs": ["sha256:abc def"], "manifests": [], "layer_links": []},
        {
            "marked": 1,
            "blobs": [],
            "manifests": [{"repository": "Upper/Case", "digest": "sha256:abc"}],
            "layer_links": [],
        },
        {
            "marked": 1,
            "blobs": [],
            "manifests": [],
            "layer_links": [{"repository": "a", "digest": "sha256:x\nFLUSHALL"}],
        },
    ],
)
def test_cache_commands_refuse_what_no_report_holds(report):
    with pytest.raises(AnsibleFilterError):
        registry_gc_cache_commands(report)


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"registry_gc_report", "registry_gc_cache_commands", "registry_gc_bytes"}


def usage(**sizes):
    return {"sizes": {"sha256:" + name: size for name, size in sizes.items()}}


@pytest.mark.parametrize(
    "after, problem",
    [
        (usage(k=10), ""),
        (usage(k=10, n=1), ""),  # a blob of 1 byte pushed just before the fence: within 1 %
        (
            usage(k=10, a=100),
            "1 blobs it reported deleting are still in the bucket (sha256:a); "
            "the bucket's blobs lost 200 bytes, but the blobs it reported deleting held 300",
        ),
        (usage(), "the bucket's blobs lost 310 bytes, but the blobs it reported deleting held 300"),
    ],
)
def test_bytes_freed_against_bytes_reported(after, problem):
    report = {"marked": 1, "blobs": ["sha256:a", "sha256:b"], "manifests": [], "layer_links": []}
    compared = registry_gc_bytes(report, usage(a=100, b=200, k=10), after)
    assert compared["bytes_reported"] == 300 and compared["blobs_before"] == 3
    assert compared["problem"] == problem


def test_bytes_refuse_what_is_not_a_report_or_a_usage():
    with pytest.raises(AnsibleFilterError, match="registry_gc_report first"):
        registry_gc_bytes({}, usage(), usage())
    with pytest.raises(AnsibleFilterError, match="two results of registry_storage_usage"):
        registry_gc_bytes({"marked": 0, "blobs": []}, usage(), {})
