#!/bin/sh
# Copy the browser bundles that `npm ci` installed (pinned by package-lock.json) into
# diary/static/vendor/, which is never committed (.gitignore). Run from anywhere:
#   npm ci --ignore-scripts --no-audit --no-fund && sh scripts/vendor.sh
# Writes:
#   plotly-basic.min.js   plotly.js bar/pie/scatter bundle, as npm ships it
#   plotly.css            plotly.js's own style rules, so that plotly never has to inject a
#                         <style> element (the CSP is style-src 'self'); see plotly-css.mjs
set -eu
cd "$(dirname "$0")/.."
package=node_modules/plotly.js-basic-dist-min
bundle=$package/plotly-basic.min.js
out=diary/static/vendor
if [ ! -f "$bundle" ]; then
    echo "vendor.sh: $bundle is missing; run 'npm ci' first." >&2
    exit 1
fi
wanted=$(node -p "require('./package-lock.json').packages['$package'].version")
found=$(node -p "require('./$package/package.json').version")
if [ "$wanted" != "$found" ]; then
    echo "vendor.sh: node_modules has plotly.js-basic-dist-min $found, package-lock.json pins $wanted; run 'npm ci'." >&2
    exit 1
fi
mkdir -p "$out"
cp "$bundle" "$out/plotly-basic.min.js.tmp"
mv "$out/plotly-basic.min.js.tmp" "$out/plotly-basic.min.js"
node scripts/plotly-css.mjs "$bundle" > "$out/plotly.css.tmp"
mv "$out/plotly.css.tmp" "$out/plotly.css"
echo "vendor.sh: plotly.js-basic-dist-min $found -> $out/ ($(wc -c < "$out/plotly-basic.min.js") + $(wc -c < "$out/plotly.css") bytes)"
