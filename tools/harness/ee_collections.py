"""Pack the collections wharf.registry depends on as tarballs `ansible-galaxy collection install` takes offline.

    ee_collections.py OUTPUT_DIR

Galaxy is unreachable here, so the execution environment (make ee) gets galaxy.yml's dependencies, and theirs, from
the collections installed in this Python (.venv's `ansible` package: the versions the tests run). An installed
collection is its release tarball unpacked (MANIFEST.json, FILES.json and the files); the `ansible` package leaves out
some files FILES.json lists (CI settings, tests), so FILES.json is written again with only the files present, each
with the checksum it already had (a file whose content differs from its checksum is refused). One line per tarball
on stdout: its file name.
"""

import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

import ansible_collections
import yaml

TOP = Path(__file__).resolve().parents[2]


def installed(fqcn):
    namespace, name = fqcn.split(".")
    for root in ansible_collections.__path__:
        path = Path(root) / namespace / name
        if (path / "MANIFEST.json").is_file():
            return path
    raise SystemExit(f"ee_collections.py: {fqcn} is not installed in {sys.executable}'s ansible_collections")


def pack(path, output):
    manifest = json.loads((path / "MANIFEST.json").read_text(encoding="utf-8"))
    info = manifest["collection_info"]
    files = json.loads((path / "FILES.json").read_text(encoding="utf-8"))
    kept = []
    for entry in files["files"]:
        member = path / entry["name"] if entry["name"] != "." else path
        if entry["ftype"] == "dir":
            if member.is_dir():
                kept.append(entry)
            continue
        if not member.is_file():
            continue
        if hashlib.sha256(member.read_bytes()).hexdigest() != entry["chksum_sha256"]:
            raise SystemExit(f"ee_collections.py: {member} differs from its checksum in FILES.json")
        kept.append(entry)
    files["files"] = kept
    files_json = json.dumps(files, indent=4).encode()
    manifest["file_manifest_file"]["chksum_sha256"] = hashlib.sha256(files_json).hexdigest()
    manifest_json = json.dumps(manifest, indent=4).encode()
    tarball = output / f"{info['namespace']}-{info['name']}-{info['version']}.tar.gz"
    with tarfile.open(tarball, "w:gz", format=tarfile.GNU_FORMAT) as tar:
        for name, data in (("MANIFEST.json", manifest_json), ("FILES.json", files_json)):
            member = tarfile.TarInfo(name)
            member.size, member.mode = len(data), 0o644
            tar.addfile(member, io.BytesIO(data))
        for entry in kept:
            if entry["name"] == ".":
                continue
            member = tar.gettarinfo(path / entry["name"], arcname=entry["name"])
            member.uid = member.gid = 0
            member.uname = member.gname = ""
            member.mtime = 0
            if member.isdir():
                tar.addfile(member)
            else:
                with open(path / entry["name"], "rb") as handle:
                    tar.addfile(member, handle)
    return tarball, info.get("dependencies") or {}


def main(argv):
    if len(argv) != 1:
        raise SystemExit(__doc__)
    output = Path(argv[0])
    output.mkdir(parents=True, exist_ok=True)
    galaxy = yaml.safe_load((TOP / "galaxy.yml").read_text(encoding="utf-8"))
    wanted, done = list(galaxy.get("dependencies") or {}), set()
    while wanted:
        fqcn = wanted.pop(0)
        if fqcn in done:
            continue
        done.add(fqcn)
        tarball, dependencies = pack(installed(fqcn), output)
        wanted.extend(dependencies)
        print(tarball.name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
