#!/bin/sh
# Rebuild static/plotly-outcomes-<version>.min.js: plotly.js cut to the trace types entry.js
# registers. Run by hand when plotly (the Python package) moves to a new plotly.js; needs Node.js
# and the npm registry. The result is committed: set-up, tests and CI never run this.
set -eu
cd "$(dirname "$0")"
npm install --no-audit --no-fund --silent
version=$(node -p 'require("plotly.js/package.json").version')
out=../../static/plotly-outcomes-$version.min.js
rm -f ../../static/plotly-outcomes-*.min.js  # one bundle: the app serves the one it finds
banner="/*! plotly.js v$version (scatter, bar, choropleth, scattergeo), built by tools/plotly_bundle/build.sh. Copyright 2012-2026, Plotly, Inc. MIT licence: https://github.com/plotly/plotly.js/blob/master/LICENSE */"
# The CSS esbuild writes beside the script is MapLibre's, which these trace types never use.
npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly --target=es2016 \
  --define:global=window --define:define.amd=false --define:process.env.NODE_DEBUG=false \
  --banner:js="$banner" --outfile="$out" --log-level=warning
rm -f "${out%.js}.css"
echo "wrote $out"
