# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""registry_gc_check against the loopback stand-in of fake_registry (answers as a real registry 3.1.2 was recorded
answering), with the registry's content changed as a garbage collection changes it: what stays tagged is whole,
what was deleted answers 404, and a blob pushed again since is told apart from one that should be gone. The module
on real replicas after a real collection runs in playbooks/gc.yml, in every whole-system scenario."""

import json

import pytest

from ansible_collections.wharf.registry.plugins.modules.registry_gc_check import main
from ansible_collections.wharf.registry.tests.unit.plugins.fake_registry import FakeRegistry

PASSWORD = "gc 'q' \"u\" $HOME ~ % `x`"


@pytest.fixture(name="fake")
def fixture_fake():
    registry = FakeRegistry(users={"reader": PASSWORD})
    yield registry
    registry.close()


@pytest.fixture(name="run")
def fixture_run(run_module):
    def run_with(fake, check_mode=False, **params):
        args = dict(url=fake.url, username="reader", password=PASSWORD)
        args.update(params)
        done = run_module(main, args, check_mode)
        assert PASSWORD not in json.dumps(done.result)
        return done

    return run_with


def collected(fake):
    """app:1 kept, app:2 deleted over the API and collected: its own layer and config gone, its layer link too."""
    shared = fake.blob(b"shared" * 100)
    gone = fake.blob(b"gone" * 50)
    kept = fake.image("app", "1", "2026-11-01T00:00:00Z", [shared])
    doomed = fake.image("app", "2", "2026-11-02T00:00:00Z", [shared, gone])
    config = json.loads(fake.repositories["app"]["manifests"][doomed["digest"]][1])["config"]["digest"]
    del fake.repositories["app"]["manifests"][doomed["digest"]]
    del fake.repositories["app"]["tags"]["2"]
    for digest in (gone["digest"], config):
        del fake.blobs[digest]
    return kept, [{"repository": "app", "digest": gone["digest"]}, {"repository": "app", "digest": config}]


def test_what_stays_is_whole_and_what_was_deleted_is_gone(run, fake):
    kept, links = collected(fake)
    done = run(fake, layer_links=links, manifests=[{"repository": "app", "digest": "sha256:" + "0" * 64}])
    assert not done.failed, done.result
    result = done.result
    assert result["changed"] is False
    assert (result["repositories"], result["tags"], result["manifests"], result["blobs"]) == (1, 1, 1, 2)
    assert result["gone"] == 3 and result["pushed_again"] == [] and result["vanished_tags"] == 0
    assert [method for method, path in fake.requests if method not in ("GET", "HEAD")] == []
    # HEAD unless asked to read: a blob's bytes are not fetched.
    assert ("HEAD", "/v2/app/blobs/" + kept["digest"]) not in fake.requests
    assert sum(1 for method, path in fake.requests if method == "GET" and "/blobs/" in path) == 0


def test_read_blobs_reads_and_hashes_each_blob_once(run, fake):
    collected(fake)
    fake.image("other", "1", "2026-11-01T00:00:00Z", [fake.blob(b"shared" * 100)])
    done = run(fake, read_blobs=True, check_mode=True)
    assert not done.failed, done.result
    assert done.result["blobs"] == 4 and done.result["bytes"] > 1200
    gets = [path for method, path in fake.requests if method == "GET" and "/blobs/" in path]
    assert len(gets) == len(set(gets)) == 4


def test_a_blob_a_tag_needs_that_is_missing_fails_the_check(run, fake):
    kept, links = collected(fake)
    layer = json.loads(fake.repositories["app"]["manifests"][kept["digest"]][1])["layers"][0]["digest"]
    del fake.blobs[layer]
    done = run(fake, layer_links=links)
    assert done.failed
    assert done.result["msg"] == (
        "1 problems after garbage collection on %s: app@%s, referenced by a tag, answered 404." % (fake.url, layer)
    )


def test_a_deleted_blob_pushed_again_is_accepted_and_one_still_served_is_not(run, fake):
    kept, links = collected(fake)
    again = fake.blob(b"gone" * 50)  # pushed again under a new tag
    fake.image("app", "3", "2026-11-03T00:00:00Z", [again])
    stale = fake.blob(b"stale" * 10)  # still served, though the collection removed app's link to it
    fake.image("other", "1", "2026-11-03T00:00:00Z", [stale])
    done = run(fake, layer_links=links + [{"repository": "app", "digest": stale["digest"]}])
    assert done.failed
    assert done.result["pushed_again"] == ["app@" + again["digest"]]
    assert done.result["problems"] == ["app@%s, deleted, still answers 200 and no tag references it" % stale["digest"]]


def test_bad_links_and_wrong_credentials_say_so(run, fake):
    collected(fake)
    done = run(fake, layer_links=[{"repository": "app"}])
    assert (
        done.failed
        and done.result["msg"] == "layer_links takes {repository, digest} entries, not {'repository': 'app'}."
    )
    done = run(fake, password="wrong")
    assert done.failed and done.result["status"] == 401
    assert done.result["msg"].startswith("Checking the garbage collection failed: GET %s/v2/_catalog" % fake.url)


def test_a_blob_that_reads_back_with_other_bytes_fails_the_read(run, fake):
    kept, links = collected(fake)
    layer = json.loads(fake.repositories["app"]["manifests"][kept["digest"]][1])["layers"][0]["digest"]
    fake.blobs[layer] = b"not the layer"
    assert not run(fake, layer_links=links).failed  # HEAD sees the blob
    done = run(fake, layer_links=links, read_blobs=True)
    assert done.failed and done.result["problems"] == ["app@%s reads back with another digest" % layer]
