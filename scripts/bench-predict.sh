#!/usr/bin/env bash
# Measures single-sentence latency and batch-32 throughput of an exported classifier.
# Usage: scripts/bench-predict.sh [MODEL_DIR]
# Without MODEL_DIR it uses the newest version of savedmodels/brown-genre (written by
# scripts/demo.sh) when present, else a classifier of the demo's sizes with random weights and a
# vocabulary of 15000.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -DskipTests package
if [[ $# -ge 1 ]]; then
  args=("$1")
elif latest="$(ls -d savedmodels/brown-genre/[0-9]* 2>/dev/null | sort -t/ -k3 -n | tail -1)" \
    && [[ -n "$latest" ]]; then
  args=("$latest")
else
  args=(--synthetic 15000)
fi
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
java -Xmx4g -cp "target/classes:$(cat target/runtime-classpath.txt)" \
  io.rnnkit.bench.PredictBenchmark "${args[@]}"
