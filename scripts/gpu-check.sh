#!/usr/bin/env bash
# CUDA verification of JLightning: the digits example on the GPU in 32-true, bf16-mixed and 16-mixed (validation
# accuracy and microseconds per training step each), then a fit stopped after 2 of 4 epochs and resumed from its
# checkpoint in 16-mixed, which must end with the uninterrupted fit's weights and the gradient scaler's saved scale.
#
#   scripts/gpu-check.sh [--offline]           build with Maven and -Pgpu (needs ~/.m2 filled or internet), then run
#   scripts/gpu-check.sh --bundle DIR          run with a bundle from scripts/make-bundle.sh --gpu (no Maven, no internet)
#   scripts/gpu-check.sh --cpu [--bundle DIR]  the same check on CPU in 32-true and bf16-mixed, to test this script
#
# Needs on the GPU machine: the NVIDIA driver, CUDA 13.x, cuDNN 9 and NCCL 2 libraries where the loader finds them
# (/usr/local/cuda/lib64 or LD_LIBRARY_PATH). Prints one line per result and PASS/FAIL; exits 1 on any FAIL.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUNDLE=""
ACCELERATOR=cuda
PRECISIONS=32-true,bf16-mixed,16-mixed
MVN_OFFLINE=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bundle) BUNDLE="$(cd "$2" && pwd)"; shift ;;
    --cpu) ACCELERATOR=cpu; PRECISIONS=32-true,bf16-mixed ;;
    --offline) MVN_OFFLINE=(-o) ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "gpu-check.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
WORK="$(mktemp -d)"
LOG="$WORK/check.log"

has_lib() {
  ldconfig -p 2>/dev/null | grep -q "$1" && return 0
  compgen -G "/usr/local/cuda*/lib64/$1" >/dev/null && return 0
  local d
  for d in ${LD_LIBRARY_PATH//:/ }; do [[ -e "$d/$1" ]] && return 0; done
  return 1
}

echo "== machine"
uname -srm
if [[ $ACCELERATOR == cuda ]]; then
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  else
    echo "nvidia-smi not found: is the NVIDIA driver installed?"
  fi
  # LibTorch's CUDA build loads these; JavaCPP silently falls back to CPU when one is missing
  for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcudnn.so.9 libnccl.so.2; do
    if has_lib "$lib"; then echo "found   $lib"; else echo "MISSING $lib"; fi
  done
fi

if [[ -n "$BUNDLE" ]]; then
  echo "== running with the bundle in $BUNDLE ($(cat "$BUNDLE/VARIANT" 2>/dev/null || echo unknown) variant)"
  RUN=("$BUNDLE/bin/jlightning")
else
  PROFILE=()
  [[ $ACCELERATOR == cuda ]] && PROFILE=(-Pgpu)
  echo "== building with Maven ${PROFILE[*]:-}"
  (cd "$ROOT" && mvn -B -q "${MVN_OFFLINE[@]}" "${PROFILE[@]}" -pl lightning-core,lightning-callbacks,lightning-examples -am \
      package org.apache.maven.plugins:maven-dependency-plugin:3.11.0:copy-dependencies \
      -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -DincludeScope=runtime \
      -DoutputDirectory="$WORK/lib") || { echo "FAIL build"; exit 1; }
  cp "$ROOT"/lightning-examples/target/lightning-examples-*.jar "$WORK/lib/"
  rm -f "$WORK"/lib/*-sources.jar "$WORK"/lib/*-javadoc.jar
  RUN=(java --enable-native-access=ALL-UNNAMED -Xss4m -cp "$WORK/lib/*" dev.jlightning.examples.Launcher)
fi

# JavaCPP 1.5.13 can crash the first time it unpacks LibTorch into an empty cache; the next start works
for attempt in 1 2 3; do
  if "${RUN[@]}" natives > "$WORK/natives.log" 2>&1; then break; fi
  echo "loading the natives failed (attempt $attempt): $(grep -m1 -E 'SIGSEGV|Error' "$WORK/natives.log")"
done
grep '^RESULT' "$WORK/natives.log"

echo "== precision check on $ACCELERATOR: $PRECISIONS"
"${RUN[@]}" precision-check --accelerator="$ACCELERATOR" --precisions="$PRECISIONS" "$WORK/out" 2>&1 | tee "$LOG" \
    | grep -E '^RESULT|Exception|Error' || true
STATUS=${PIPESTATUS[0]}

echo "== summary"
FAIL=0
[[ $STATUS == 0 ]] || { echo "FAIL the check ended with status $STATUS (log: $LOG)"; FAIL=1; }
if [[ $ACCELERATOR == cuda ]] && ! grep -q '^RESULT device .*cuda_available=true' "$LOG"; then
  echo "FAIL LibTorch sees no CUDA device (run with JLIGHTNING_JAVA_OPTS=-Dorg.bytedeco.javacpp.logger.debug=true to see why)"
  FAIL=1
fi
for p in ${PRECISIONS//,/ }; do
  line="$(grep "^RESULT digits .*precision=$p " "$LOG" | tail -1)"
  acc="$(sed -n 's/.* val_acc=\([0-9.]*\).*/\1/p' <<<"$line")"
  us="$(sed -n 's/.* us_per_step=\([0-9.]*\).*/\1/p' <<<"$line")"
  if [[ -n "$acc" ]] && awk -v a="$acc" 'BEGIN { exit !(a >= 0.95) }'; then
    echo "PASS digits $ACCELERATOR $p: val_acc $acc, $us us per step"
  else
    echo "FAIL digits $ACCELERATOR $p: val_acc '${acc:-none}' (needs >= 0.95)"
    FAIL=1
  fi
done
resume="$(grep '^RESULT resume ' "$LOG" | tail -1)"
save="$(sed -n 's/.* scale_at_save=\([^ ]*\).*/\1/p' <<<"$resume")"
restored="$(sed -n 's/.* scale_at_resume=\([^ ]*\).*/\1/p' <<<"$resume")"
if grep -q 'exact=true' <<<"$resume" && [[ -n "$save" && "$save" == "$restored" ]]; then
  echo "PASS resume: bit-identical final weights, scaler scale $save restored as $restored"
else
  echo "FAIL resume: ${resume:-no result}"
  FAIL=1
fi
echo "full log: $LOG"
exit $FAIL
