#!/usr/bin/env bash
# Shows where the time of one training (or inference) step of the benchmark's standard workload
# goes: kernel time per op type, per name scope and per op, from traced steps.
#
#   scripts/profile-step.sh                        # standard workload, training
#   scripts/profile-step.sh --inter-op-threads 1   # ops one at a time, so kernel times add up
#   scripts/profile-step.sh --cell gru --infer     # other cases; see io.rnnkit.bench.StepProfile
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ ! -f target/runtime-classpath.txt || ! -d target/classes/io/rnnkit/bench ]]; then
  mvn -B -q -DskipTests package
fi
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
# shellcheck disable=SC2086
exec java ${RNNKIT_JAVA_OPTS:--Xmx8g} -cp "target/classes:$(cat target/runtime-classpath.txt)" \
  io.rnnkit.bench.StepProfile "$@"
