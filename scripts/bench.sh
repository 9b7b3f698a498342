#!/usr/bin/env bash
# Measures training and inference speed of rnnkit language models and writes the results under
# the "Speed" heading of docs/benchmarks.md.
#
#   scripts/bench.sh            # the full sweep (an estimated 30 minutes on an idle 2-core machine)
#   scripts/bench.sh --quick    # a subset with fewer steps (a few minutes)
#
# Other arguments go to io.rnnkit.bench.LmBenchmark: --steps N, --warmup N, --threads N,
# --matmul-precision float32|bfloat16, --standard-only.
# Set BENCH_NO_DOCS=1 to print the table without touching docs/benchmarks.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ ! -f target/runtime-classpath.txt || ! -d target/classes/io/rnnkit/bench ]]; then
  mvn -B -q -DskipTests package
fi
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
table="$(mktemp)"
trap 'rm -f "$table"' EXIT
load_before="$(uptime | sed 's/.*load average: //')"
# shellcheck disable=SC2086
java ${RNNKIT_JAVA_OPTS:--Xmx8g} --add-modules jdk.incubator.vector -cp "target/classes:$(cat target/runtime-classpath.txt)" \
  io.rnnkit.bench.LmBenchmark --out "$table" "$@"
load_after="$(uptime | sed 's/.*load average: //')"
if [[ "${BENCH_NO_DOCS:-0}" == 1 ]]; then
  exit 0
fi
model="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
cores="$(nproc)"
section="$(mktemp)"
{
  echo "## Speed"
  echo
  echo "Machine: $model, $cores cores ($(date -u +%Y-%m-%d))."
  echo "Command: \`scripts/bench.sh $*\`."
  echo "Load average (1, 5, 15 min) before: $load_before; after: $load_after."
  echo
  cat "$table"
} > "$section"
doc=docs/benchmarks.md
if [[ ! -f "$doc" ]]; then
  printf '# Benchmarks\n\n' > "$doc"
fi
# Replace the generated part of the Speed section (up to the "### Notes" heading or the next "## "
# heading) and keep the rest of the file.
python3 - "$doc" "$section" <<'PY'
import sys
doc, section = sys.argv[1], sys.argv[2]
text = open(doc).read()
new = open(section).read().rstrip("\n") + "\n"
start = text.find("## Speed\n")
if start < 0:
    text = text.rstrip("\n") + "\n\n" + new
else:
    rest = text[start + len("## Speed\n"):]
    ends = [i for i in (rest.find("\n### Notes"), rest.find("\n## ")) if i >= 0]
    end = start + len("## Speed\n") + (min(ends) + 1 if ends else len(rest))
    text = text[:start] + new + ("\n" + text[end:] if end < len(text) else "")
open(doc, "w").write(text)
PY
rm -f "$section"
echo "bench: wrote the Speed section of $doc"
