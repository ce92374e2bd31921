#!/bin/sh
# vendor-frontend.sh copies the compiled GOV.UK Frontend and MoJ Frontend
# files from their npm packages into web/static/vendor, so that go build needs
# no Node. It leaves out the GDS Transport font files (licensed for gov.uk
# only) and the GOV.UK crest. Run from the repository root:
#
#   scripts/vendor-frontend.sh [govuk-frontend-version] [moj-frontend-version]
#
# It installs into a temporary folder, never into the repository.
set -eu

GOVUK_VERSION="${1:-6}"
MOJ_VERSION="${2:-11}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/web/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts \
	"govuk-frontend@$GOVUK_VERSION" "@ministryofjustice/frontend@$MOJ_VERSION" >/dev/null

G="$WORK/node_modules/govuk-frontend/dist/govuk"
M="$WORK/node_modules/@ministryofjustice/frontend/moj"

rm -rf "$DEST"
mkdir -p "$DEST/govuk" "$DEST/moj" "$DEST/assets/images"
cp "$G/govuk-frontend.min.css" "$G/govuk-frontend.min.js" "$DEST/govuk/"
cp "$M/moj-frontend.min.css" "$M/moj-frontend.min.js" "$DEST/moj/"
# Only the icons the CSS refers to as url(/assets/images/icon-*.svg): no
# crest, crown, logotype, favicon or sharing image, which are government
# identity marks and not ours to use.
for f in "$G"/assets/images/icon-* "$M"/assets/images/icon-*; do
	[ -e "$f" ] && cp "$f" "$DEST/assets/images/"
done

gv="$(node -p "require('$WORK/node_modules/govuk-frontend/package.json').version")"
mv="$(node -p "require('$WORK/node_modules/@ministryofjustice/frontend/package.json').version")"
{
	echo "# Vendored by scripts/vendor-frontend.sh; do not edit by hand."
	echo "govuk-frontend $gv"
	echo "@ministryofjustice/frontend $mv"
	echo "# Both packages are MIT-licensed. The GDS Transport font files are left out"
	echo "# (the CSS falls back to arial, sans-serif); so is the GOV.UK crest."
	echo "# sha256 of each vendored file"
	(cd "$DEST" && find . -type f ! -name VERSIONS | LC_ALL=C sort | xargs sha256sum)
} >"$DEST/VERSIONS"
echo "vendored govuk-frontend $gv and @ministryofjustice/frontend $mv into $DEST"
