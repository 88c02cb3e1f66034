#!/usr/bin/env bash
# Checks and joins the parts written by scripts/make-bundle.sh and unpacks the bundle here.
#   ./unpack-bundle.sh [DIR-WITH-PARTS]
set -euo pipefail
DIR="${1:-.}"
cd "$DIR"
sha256sum -c SHA256SUMS
cat jlightning-bundle.tar.part-* | tar -xf -
echo "unpacked into $(pwd)/jlightning-bundle ($(cat jlightning-bundle/VARIANT) variant)"
