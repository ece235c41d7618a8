"""Build the lab and test images from Debian packages and upstream source, with no container registry.

    images.py build [NAME ...]   build what is missing or whose recipe changed (all by default)
    images.py env                print `export WHARF_IMAGE_<NAME>=<tag>` lines for the Makefile and molecule
    images.py list               print name, tag and whether the built image is current

Each image carries the hash of its recipe (its images.yml entry, its build context, its parent's hash) in the
label below; an image whose label matches is left alone, so a second run builds nothing.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

IMAGES_DIR = Path(__file__).resolve().parents[2] / "images"
MANIFEST = IMAGES_DIR / "images.yml"
RECIPE_LABEL = "org.wharf.recipe"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# Build settings passed through from the host so builds inside containers reach the same proxies; they do not
# change what is built, so they are not part of the recipe.
PASSTHROUGH_ARGS = ("GOPROXY", "GOSUMDB", "GOFLAGS", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")


class BuildError(Exception):
    pass


def load_manifest(path=MANIFEST):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["lab_images"]


def debian_mirror(sources_dir=Path("/etc/apt")):
    """The Debian archive this host installs from: WHARF_DEBIAN_MIRROR, else the host's own apt sources."""
    if os.environ.get("WHARF_DEBIAN_MIRROR"):
        return os.environ["WHARF_DEBIAN_MIRROR"]
    candidates = []
    deb822 = sources_dir / "sources.list.d" / "debian.sources"
    if deb822.exists():
        for stanza in deb822.read_text(encoding="utf-8").split("\n\n"):
            fields = dict(
                line.split(":", 1) for line in stanza.splitlines() if ":" in line and not line.startswith("#")
            )
            suites = fields.get("Suites", "").split()
            if fields.get("URIs") and not any(suite.endswith("-security") for suite in suites):
                candidates.extend(fields["URIs"].split())
    legacy = sources_dir / "sources.list"
    if legacy.exists():
        for line in legacy.read_text(encoding="utf-8").splitlines():
            words = [word for word in line.split() if not word.startswith("[")]
            if len(words) >= 3 and words[0] == "deb" and not words[2].endswith("-security"):
                candidates.append(words[1])
    if not candidates:
        raise BuildError("No Debian mirror found in /etc/apt sources; set WHARF_DEBIAN_MIRROR to a Debian archive URL.")
    return candidates[0].strip()


def context_digest(context):
    digest = hashlib.sha256()
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(context)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def recipe_hashes(manifest, images_dir=IMAGES_DIR):
    """Hash each image's recipe, folding in its parent's hash so a rebuilt base rebuilds its children."""
    hashes = {}

    def resolve(name, seen=()):
        if name in hashes:
            return hashes[name]
        if name in seen:
            raise BuildError(f"Image {name} depends on itself through 'from'.")
        spec = manifest[name]
        digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode())
        if "context" in spec:
            digest.update(context_digest(images_dir / spec["context"]).encode())
        if "from" in spec:
            digest.update(resolve(spec["from"], seen + (name,)).encode())
        hashes[name] = digest.hexdigest()[:16]
        return hashes[name]

    for image in manifest:
        resolve(image)
    return hashes


def build_order(manifest, wanted):
    order = []

    def visit(name):
        if name not in manifest:
            raise BuildError(f"Unknown image {name}; images.yml names: {', '.join(manifest)}.")
        if name in order:
            return
        if "from" in manifest[name]:
            visit(manifest[name]["from"])
        order.append(name)

    for name in wanted:
        visit(name)
    return order


def run(argv, **kwargs):
    print("+ " + " ".join(argv), flush=True)
    subprocess.run(argv, check=True, **kwargs)


def current_recipe(tag):
    result = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{ json .Config.Labels }}", tag],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return None
    return (json.loads(result.stdout) or {}).get(RECIPE_LABEL)


def build_debootstrap(spec, recipe):
    root = Path(tempfile.mkdtemp(prefix="wharf-rootfs-"))
    try:
        run(
            [
                "debootstrap",
                "--variant=minbase",
                "--include=python3,ca-certificates",
                spec["debootstrap"],
                str(root),
                debian_mirror(),
            ],
            stdout=subprocess.DEVNULL,
        )
        # Apt inside the image should not keep what debootstrap downloaded.
        shutil.rmtree(root / "var/cache/apt/archives", ignore_errors=True)
        (root / "var/cache/apt/archives/partial").mkdir(parents=True, exist_ok=True)
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        run(
            [
                "docker",
                "import",
                "--change",
                f"LABEL {RECIPE_LABEL}={recipe}",
                "--change",
                'CMD ["/bin/bash"]',
                "-",
                spec["tag"],
            ],
            stdin=tar.stdout,
            stdout=subprocess.DEVNULL,
        )
        if tar.wait() != 0:
            raise BuildError(f"tar of the {spec['debootstrap']} root file system failed.")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def build_dockerfile(spec, recipe, manifest):
    argv = ["docker", "build", "--label", f"{RECIPE_LABEL}={recipe}", "-t", spec["tag"]]
    if "from" in spec:
        argv += ["--build-arg", f"BASE={manifest[spec['from']]['tag']}"]
    for key, value in (spec.get("args") or {}).items():
        argv += ["--build-arg", f"{key}={value}"]
    for key in PASSTHROUGH_ARGS:
        if os.environ.get(key):
            argv += ["--build-arg", f"{key}={os.environ[key]}"]
    with tempfile.TemporaryDirectory(prefix="wharf-context-") as context:
        shutil.copytree(IMAGES_DIR / spec["context"], context, dirs_exist_ok=True)
        # Builds that download (the Go module proxy) must trust what the host trusts, e.g. a corporate TLS proxy.
        shutil.copyfile(HOST_CA_BUNDLE, Path(context) / "host-ca-certificates.crt")
        run(argv + [context])


def build(names=None):
    manifest = load_manifest()
    hashes = recipe_hashes(manifest)
    for name in build_order(manifest, names or list(manifest)):
        spec = manifest[name]
        if current_recipe(spec["tag"]) == hashes[name]:
            print(f"{spec['tag']}: current", flush=True)
            continue
        started = time.monotonic()
        if "debootstrap" in spec:
            build_debootstrap(spec, hashes[name])
        else:
            build_dockerfile(spec, hashes[name], manifest)
        print(f"{spec['tag']}: built in {time.monotonic() - started:.0f} s", flush=True)


def env_lines(manifest):
    return [f"export WHARF_IMAGE_{name.upper()}={spec['tag']}" for name, spec in manifest.items()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build").add_argument("names", nargs="*")
    sub.add_parser("env")
    sub.add_parser("list")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            build(args.names)
        elif args.command == "env":
            print("\n".join(env_lines(load_manifest())))
        else:
            manifest = load_manifest()
            hashes = recipe_hashes(manifest)
            for name, spec in manifest.items():
                state = "current" if current_recipe(spec["tag"]) == hashes[name] else "missing or stale"
                print(f"{name:20} {spec['tag']:32} {state}")
    except (BuildError, subprocess.CalledProcessError) as error:
        print(f"images.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
