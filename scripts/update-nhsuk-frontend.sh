#!/usr/bin/env bash
# Refreshes the vendored NHS.UK frontend (built CSS, JS and assets) in mdt/static/nhsuk/.
# Usage: scripts/update-nhsuk-frontend.sh [VERSION]   (default: the version in VERSION)
# Keep nhsuk-frontend-jinja in pyproject.toml on the release that matches this version
# (its README has the table).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/mdt/static/nhsuk"
version=${1:-$(cat "$dest/VERSION")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "nhsuk-frontend@$version" >/dev/null && tar xzf nhsuk-frontend-*.tgz)
dist="$work/package/dist/nhsuk"
rm -rf "$dest"
mkdir -p "$dest/assets"
cp "$dist/nhsuk-frontend.min.css" "$dist/nhsuk-frontend.min.js" "$dest/"
cp -r "$dist/assets/images" "$dest/assets/"
cp "$dist/assets/manifest.json" "$dest/assets/"
cp "$work/package/package.json" "$dest/package.json"
echo "$version" > "$dest/VERSION"
echo "NHS.UK frontend $version vendored into $dest"
