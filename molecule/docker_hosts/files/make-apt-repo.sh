#!/usr/bin/env bash
# Test fixture: a signed apt repository shaped like Docker's (dists/<suite>/stable, a key at /gpg) holding empty
# stand-in packages with Docker's package names, for testing docker_engine's upstream path without the internet.
#   make-apt-repo.sh ROOT SUITE VERSION PACKAGE...
set -euo pipefail
root=$1 suite=$2 version=$3
shift 3
arch=$(dpkg --print-architecture)
rm -rf "$root"
mkdir -p "$root/pool" "$root/dists/$suite/stable/binary-$arch" "$root/build"
for package in "$@"; do
  mkdir -p "$root/build/$package/DEBIAN"
  cat > "$root/build/$package/DEBIAN/control" <<CONTROL
Package: $package
Version: $version
Architecture: $arch
Maintainer: wharf.registry tests <tests@wharf.invalid>
Description: empty stand-in for $package (wharf.registry test fixture)
CONTROL
  dpkg-deb --build --root-owner-group "$root/build/$package" "$root/pool/${package}_${version#*:}_$arch.deb" >/dev/null
done
cd "$root"
apt-ftparchive packages pool > "dists/$suite/stable/binary-$arch/Packages"
apt-ftparchive -o "APT::FTPArchive::Release::Suite=$suite" -o "APT::FTPArchive::Release::Codename=$suite" \
  -o APT::FTPArchive::Release::Components=stable -o "APT::FTPArchive::Release::Architectures=$arch" \
  release "dists/$suite" > "dists/$suite/Release"
export GNUPGHOME=$root/build/gnupg
mkdir -m 0700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-generate-key 'wharf test repository <tests@wharf.invalid>' ed25519 sign never
gpg --batch --quiet --yes --armor --output "$root/gpg" --export
cd "dists/$suite"
gpg --batch --quiet --yes --clearsign --output InRelease Release
