# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read what ``registry garbage-collect`` printed, and what the shared Redis cache must forget after it deleted.

The registry's Redis blob descriptor cache (the same key layout in 2.8 and 3.x) keeps, per digest D, a hash
``blobs::D`` (digest, size, media type) and, per repository R, a set ``repository::R::blobs`` of the digests R links
to plus a hash ``repository::R::blobs::D`` (R's media type of D). A lookup in R answers from the cache only when D is
in R's set *and* ``blobs::D`` is complete, so deleting ``blobs::D`` for every deleted blob already makes every lookup
of it ask the storage. The per-repository entries are dropped too where garbage collection removed R's own link to
D (3.x removes layer links and untagged manifests' revision links; 2.8 leaves its layer links in place, and a cached
membership then agrees with the storage): otherwise a later push of D to another repository would bring the stale
membership back to life.
"""

import re

from ansible.errors import AnsibleFilterError

# Repository names and digests as the distribution spec defines them; anything else is not garbage collection
# output, and nothing else may reach a Redis command line.
_NAME = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
_DIGEST = r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+"

_REPOSITORY = re.compile(r"^(%s)$" % _NAME)
_SUMMARY = re.compile(r"^(\d+) blobs marked, (\d+) blobs and (\d+) manifests eligible for deletion$")
_BLOB = re.compile(r"^blob eligible for deletion: (%s)$" % _DIGEST)
# 2.x names the manifest's digest inside its repository's section, 3.x prints {name digest [tags]}.
_MANIFEST_2 = re.compile(r"^manifest eligible for deletion: (%s)$" % _DIGEST)
_MANIFEST_3 = re.compile(r"^manifest eligible for deletion: \{(%s) (%s) \[[^\]]*\]\}$" % (_NAME, _DIGEST))
_LAYER_LINK = re.compile(r"^(%s): layer link eligible for deletion: (%s)$" % (_NAME, _DIGEST))


def registry_gc_report(text):
    """The report of one garbage collection run (2.x or 3.x stdout) as data; {} when text is not such a report.

    repositories: the repositories it walked; marked: how many blobs it kept; blobs: the digests of the blobs it
    deleted (a dry run: would delete), manifests included; manifests and layer_links: {repository, digest} of the
    untagged manifests and (3.x) the repository layer links it deleted.
    """
    if not isinstance(text, str):
        return {}
    report = {"repositories": [], "marked": None, "blobs": [], "manifests": [], "layer_links": []}
    counts = None
    repository = None
    for line in (line.strip() for line in text.splitlines()):
        match = _REPOSITORY.match(line)
        if match:
            repository = match.group(1)
            report["repositories"].append(repository)
            continue
        match = _SUMMARY.match(line)
        if match:
            counts = [int(number) for number in match.groups()]
            continue
        match = _BLOB.match(line)
        if match:
            report["blobs"].append(match.group(1))
            continue
        match = _MANIFEST_3.match(line)
        if match:
            report["manifests"].append({"repository": match.group(1), "digest": match.group(2)})
            continue
        match = _MANIFEST_2.match(line)
        if match and repository:
            report["manifests"].append({"repository": repository, "digest": match.group(1)})
            continue
        match = _LAYER_LINK.match(line)
        if match:
            report["layer_links"].append({"repository": match.group(1), "digest": match.group(2)})
    # A report whose lists disagree with its own summary line was cut short or is not one.
    if counts is None or counts[1:] != [len(report["blobs"]), len(report["manifests"])]:
        return {}
    report["marked"] = counts[0]
    return report


def registry_gc_cache_commands(report):
    """The redis-cli command lines that make the shared cache forget what the garbage collection in report deleted."""
    if not isinstance(report, dict) or report.get("marked") is None:
        raise AnsibleFilterError("registry_gc_cache_commands takes the result of registry_gc_report.")
    commands = []
    for digest in report["blobs"]:
        commands.append("DEL blobs::%s" % _checked(_DIGEST, digest))
    for link in report["manifests"] + report["layer_links"]:
        repository, digest = _checked(_NAME, link["repository"]), _checked(_DIGEST, link["digest"])
        commands.append("SREM repository::%s::blobs %s" % (repository, digest))
        commands.append("DEL repository::%s::blobs::%s" % (repository, digest))
    return commands


def registry_gc_bytes(report, before, after, tolerance=0.01):
    """What the bucket lost in a deleting collection against what the collection reported deleting.

    before and after are registry_storage_usage results (blobs, bytes, sizes by digest) read just before and just
    after the collection, while the registry could take no push. The blobs it reported must all be gone, and the
    bucket's blob bytes must have gone down by their bytes (as before listed them), within tolerance.
    """
    if not isinstance(report, dict) or report.get("marked") is None:
        raise AnsibleFilterError("registry_gc_bytes takes the result of registry_gc_report first.")
    for usage in (before, after):
        if not isinstance(usage, dict) or not isinstance(usage.get("sizes"), dict):
            raise AnsibleFilterError("registry_gc_bytes takes two results of registry_storage_usage.")
    reported = sum(before["sizes"].get(digest, 0) for digest in report["blobs"])
    freed = sum(before["sizes"].values()) - sum(after["sizes"].values())
    left = sorted(set(report["blobs"]) & set(after["sizes"]))
    problems = []
    if left:
        problems.append(
            "%d blobs it reported deleting are still in the bucket (%s)"
            % (len(left), ", ".join(left[:3]) + (", ..." if len(left) > 3 else ""))
        )
    if abs(freed - reported) > tolerance * reported:
        problems.append(
            "the bucket's blobs lost %d bytes, but the blobs it reported deleting held %d" % (freed, reported)
        )
    return {
        "bytes_reported": reported,
        "bytes_freed": freed,
        "blobs_before": len(before["sizes"]),
        "blobs_after": len(after["sizes"]),
        "problem": "; ".join(problems),
    }


def _checked(pattern, value):
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise AnsibleFilterError(
            "%r is neither a repository name nor a digest of a garbage collection report." % (value,)
        )
    return value


class FilterModule:
    def filters(self):
        return {
            "registry_gc_report": registry_gc_report,
            "registry_gc_cache_commands": registry_gc_cache_commands,
            "registry_gc_bytes": registry_gc_bytes,
        }
