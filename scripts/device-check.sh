#!/usr/bin/env bash
# Checks rnnkit on a GPU in under 5 minutes: builds with the CUDA native library (the gpu Maven
# profile), runs the CPU/GPU parity tests and a short benchmark on the GPU. On a machine without a
# GPU it prints a message and exits 0.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ ! -e /dev/nvidia0 ]] || ! command -v nvidia-smi > /dev/null 2>&1; then
  echo "device-check: no GPU on this machine (/dev/nvidia0 or nvidia-smi missing); nothing to check"
  exit 0
fi
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
# The parity test runs the same graph in a CPU-only session and a GPU session.
RNNKIT_DEVICE_CHECK=1 timeout 180 mvn -B -q -Pgpu test -Dtest='DeviceParityTest'
mvn -B -q -Pgpu -DskipTests package
timeout 100 java -Xmx8g --add-modules jdk.incubator.vector -cp "target/classes:$(cat target/runtime-classpath.txt)" \
  io.rnnkit.bench.LmBenchmark --quick --warmup 1 --steps 3 --device gpu
