#!/usr/bin/env bash
# Builds a self-contained JLightning bundle for a machine without Maven and without internet: a jlinked Java runtime,
# the jars of lightning-core, lightning-callbacks, lightning-examples and their runtime dependencies (LibTorch's
# natives included), and a launcher script; then cuts it into parts small enough to copy one by one.
#
#   scripts/make-bundle.sh [--gpu] [--offline] [--part-size 60m] [--out DIR]
#
#   --gpu        build with the Maven profile -Pgpu: the LibTorch CUDA natives (org.bytedeco:pytorch:...:linux-x86_64-gpu,
#                ~460 MB) replace the CPU ones. The target machine needs the NVIDIA driver, CUDA 13.x, cuDNN 9 and NCCL 2
#                libraries (Maven Central ships no cuBLAS/cuDNN/NCCL for these presets).
#   --offline    Maven runs with -o (everything must already be in ~/.m2)
#   --part-size  size of each part, as split(1) takes it (default 60m, under a 64 MiB transfer limit)
#   --out        where the parts go (default target/bundle)
#
# On the target machine:  cat jlightning-bundle.tar.part-* > b.tar && sha256sum -c SHA256SUMS  (or scripts/unpack-bundle.sh)
#                         tar -xf b.tar && jlightning-bundle/bin/jlightning precision-check --accelerator=cuda
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GPU=0
MVN_OFFLINE=()
PART_SIZE=60m
OUT="$ROOT/target/bundle"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --gpu) GPU=1 ;;
    --offline) MVN_OFFLINE=(-o) ;;
    --part-size) PART_SIZE="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "make-bundle.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

for tool in mvn jlink tar split sha256sum; do
  command -v "$tool" >/dev/null || { echo "make-bundle.sh: '$tool' is needed on the build machine" >&2; exit 2; }
done

PROFILE=()
[[ $GPU == 1 ]] && PROFILE=(-Pgpu)
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
NAME=jlightning-bundle
B="$STAGE/$NAME"
mkdir -p "$B/lib" "$B/bin"

echo "== building the jars${PROFILE:+ with ${PROFILE[*]}}"
# package (not install: the local repository stays untouched), then every module copies its runtime dependencies,
# the reactor's own jars included, into one folder
(cd "$ROOT" && mvn -B -q "${MVN_OFFLINE[@]}" "${PROFILE[@]}" -pl lightning-core,lightning-callbacks,lightning-examples -am \
    package org.apache.maven.plugins:maven-dependency-plugin:3.11.0:copy-dependencies \
    -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
    -DincludeScope=runtime -DoutputDirectory="$B/lib")
cp "$ROOT"/lightning-examples/target/lightning-examples-*.jar "$B/lib/"
rm -f "$B"/lib/*-sources.jar "$B"/lib/*-javadoc.jar
if [[ $GPU == 1 ]] && ! ls "$B"/lib/pytorch-*-gpu.jar >/dev/null 2>&1; then
  echo "make-bundle.sh: --gpu was asked for but no pytorch *-gpu jar was copied" >&2; exit 1
fi

echo "== linking a Java runtime"
# java.desktop: XChart draws the learning-rate finder's plot; jdk.unsupported: JavaCPP; java.management: log4j and
# JavaCPP's MXBean; java.naming, java.sql, java.scripting: log4j-core's optional parts; jdk.zipfs: checkpoint archives
jlink --add-modules java.base,java.desktop,java.logging,java.management,java.naming,java.sql,java.scripting,java.xml,jdk.unsupported,jdk.zipfs,jdk.crypto.ec \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$B/runtime"

cat > "$B/bin/jlightning" <<'LAUNCH'
#!/usr/bin/env bash
# Runs a JLightning example scenario with the bundled runtime: jlightning list | jlightning <scenario> [args]
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${JAVACPP_CACHE:-$HERE/javacpp-cache}"
JAVA=("$HERE/runtime/bin/java" --enable-native-access=ALL-UNNAMED -Xss4m ${JLIGHTNING_JAVA_OPTS:-}
    -Dorg.bytedeco.javacpp.cachedir="$CACHE" -cp "$HERE/lib/*" dev.jlightning.examples.Launcher)
if [[ ! -e "$CACHE/.complete" ]]; then
  # JavaCPP 1.5.13 can crash (SIGSEGV) the first time it unpacks LibTorch into an empty cache; the next start works
  for attempt in 1 2 3; do
    if "${JAVA[@]}" natives >/dev/null 2>&1; then
      mkdir -p "$CACHE" && touch "$CACHE/.complete"
      break
    fi
  done
fi
exec "${JAVA[@]}" "$@"
LAUNCH
chmod +x "$B/bin/jlightning"
cp "$ROOT/scripts/gpu-check.sh" "$B/bin/"
git -C "$ROOT" rev-parse HEAD > "$B/COMMIT" 2>/dev/null || true
[[ $GPU == 1 ]] && echo gpu > "$B/VARIANT" || echo cpu > "$B/VARIANT"

echo "== cutting into parts of $PART_SIZE"
mkdir -p "$OUT"
rm -f "$OUT/$NAME.tar.part-"* "$OUT/SHA256SUMS"
tar -C "$STAGE" -cf - "$NAME" | split -b "$PART_SIZE" -d -a 3 - "$OUT/$NAME.tar.part-"
(cd "$OUT" && sha256sum "$NAME".tar.part-* > SHA256SUMS)
cp "$ROOT/scripts/unpack-bundle.sh" "$OUT/"
ls -l "$OUT"
echo "copy $OUT/* to the target machine, then run: ./unpack-bundle.sh && $NAME/bin/gpu-check.sh --bundle $NAME"
