#!/usr/bin/env bash
# Copy the front-end libraries pinned in package-lock.json into lagesbild/web/static/vendor.
# With --check, copy into a temporary folder instead and fail if the committed files differ.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --silent
target=lagesbild/web/static/vendor
[ "${1:-}" = "--check" ] && target=$(mktemp -d)
rm -rf "$target"/{htmx,leaflet,axe-core}
mkdir -p "$target"/{htmx,leaflet/images,axe-core}
cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE "$target/htmx/"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css node_modules/leaflet/LICENSE "$target/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$target/leaflet/images/"
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
   node_modules/leaflet.markercluster/dist/leaflet.markercluster.js.map \
   node_modules/leaflet.markercluster/dist/MarkerCluster.css \
   node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css "$target/leaflet/"
cp node_modules/leaflet.markercluster/MIT-LICENCE.txt "$target/leaflet/markercluster-LICENCE.txt"
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE "$target/axe-core/"
if [ "${1:-}" = "--check" ]; then
  diff -r "$target" lagesbild/web/static/vendor && echo "vendored files match package-lock.json"
  rm -rf "$target"
fi
