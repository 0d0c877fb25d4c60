#!/usr/bin/env bash
# Refresh the vendored Leaflet assets from the npm registry (a developer's step, not run time).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=mapservice/web/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent leaflet@1.9.4 leaflet.markercluster@1.5.3 >/dev/null)
tar xzf "$tmp"/leaflet-1.9.4.tgz -C "$tmp" && mv "$tmp/package" "$tmp/leaflet"
tar xzf "$tmp"/leaflet.markercluster-1.5.3.tgz -C "$tmp" && mv "$tmp/package" "$tmp/mc"
mkdir -p "$dest/leaflet" "$dest/markercluster"
cp "$tmp"/leaflet/dist/leaflet.js "$tmp"/leaflet/dist/leaflet.css "$dest/leaflet/"
cp -r "$tmp"/leaflet/dist/images "$dest/leaflet/"
cp "$tmp"/leaflet/LICENSE "$dest/leaflet/LICENSE"
cp "$tmp"/mc/dist/leaflet.markercluster.js "$tmp"/mc/dist/MarkerCluster.css \
   "$tmp"/mc/dist/MarkerCluster.Default.css "$dest/markercluster/"
cp "$tmp"/mc/MIT-LICENCE.txt "$dest/markercluster/LICENSE"
echo "vendored into $dest"
