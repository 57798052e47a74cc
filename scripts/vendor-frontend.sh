#!/usr/bin/env bash
# Vendor the web front end's third-party assets from the npm registry into the package (run by hand when
# upgrading; the files are committed, so nothing is fetched at build, test or run time and no CDN is used).
#
# GOV.UK Frontend is MIT-licensed, but its typeface (GDS Transport) and crest are for GOV.UK services only:
# they are not copied, and the stylesheet is rebranded to a system font stack.
set -euo pipefail
GOVUK=6.6.0 HTMX=2.0.11 CHARTJS=4.6.1 AXE=4.14.1
root=$(cd "$(dirname "$0")/.." && pwd)
static="$root/src/koshi/web/static/vendor"
testvendor="$root/tests/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
for pkg in "govuk-frontend@$GOVUK" "htmx.org@$HTMX" "chart.js@$CHARTJS" "axe-core@$AXE"; do
  npm pack --silent "$pkg" >/dev/null
done
for f in *.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
rm -rf "$static" && mkdir -p "$static/govuk-frontend" "$static/htmx" "$static/chart.js" "$testvendor"
g="govuk-frontend-$GOVUK/package"
sed -E -e 's/@font-face\{[^}]*\}//g' \
       -e 's/"GDS Transport",arial,sans-serif/"Noto Sans","Segoe UI",Roboto,arial,sans-serif/g' \
       -e 's/GDS Transport,arial,sans-serif/"Noto Sans","Segoe UI",Roboto,arial,sans-serif/g' \
       -e 's#url\(/assets/images/govuk-crest\.svg\)#none#g' \
       -e 's#/\*\# sourceMappingURL=[^*]*\*/##g' \
       "$g/dist/govuk/govuk-frontend.min.css" > "$static/govuk-frontend/govuk-frontend.min.css"
sed -E 's#//\# sourceMappingURL=.*$##' "$g/dist/govuk/govuk-frontend.min.js" > "$static/govuk-frontend/govuk-frontend.min.js"
cp "htmx.org-$HTMX/package/dist/htmx.min.js" "$static/htmx/"
cp "htmx.org-$HTMX/package/LICENSE" "$static/htmx/LICENSE"
cp "chart.js-$CHARTJS/package/dist/chart.umd.min.js" "$static/chart.js/"
cp "chart.js-$CHARTJS/package/LICENSE.md" "$static/chart.js/LICENSE.md"
cp "axe-core-$AXE/package/axe.min.js" "$testvendor/axe.min.js"
{
  echo "# Vendored by scripts/vendor-frontend.sh from the npm registry; sha256 of each package tarball."
  for f in *.tgz; do echo "$(sha256sum "$f" | cut -d' ' -f1)  $f"; done
  echo "# govuk-frontend: MIT (https://github.com/alphagov/govuk-frontend); rebranded, no GDS Transport font or crest."
} > "$static/VERSIONS"
echo "vendored into $static and $testvendor"
