#!/usr/bin/env bash
# The main job end to end on the Brown corpus:
#   build, fetch Brown, pretrain a word-level LSTM language model, fine-tune a genre classifier
#   from it, export the classifier as a SavedModel, then load that SavedModel in a fresh JVM and
#   classify a few sentences.
# Usage: scripts/demo.sh [sentences.txt]   (default: a few built-in sentences)
# Extra flags for the two training steps: PRETRAIN_FLAGS="..." FINETUNE_FLAGS="..."
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TF_CPP_MIN_LOG_LEVEL=2
started=$(date +%s)

echo "== build"
mvn -B -q -DskipTests package

echo "== fetch the Brown corpus"
scripts/fetch-data.sh brown

run_dir="runs/demo-$(date +%Y%m%d-%H%M%S)"
echo "== pretrain the language model (output: $run_dir/lm)"
# shellcheck disable=SC2086
scripts/rnnkit pretrain --corpus data/brown --out "$run_dir/lm" ${PRETRAIN_FLAGS:-}

version=1
while [[ -e "savedmodels/brown-genre/$version" ]]; do
  version=$((version + 1))
done
echo "== fine-tune the genre classifier and export savedmodels/brown-genre/$version"
# shellcheck disable=SC2086
scripts/rnnkit finetune --from "$run_dir/lm" --corpus data/brown \
  --export savedmodels/brown-genre --version "$version" --run "$run_dir/finetune" ${FINETUNE_FLAGS:-}

echo "== predictions of the reloaded SavedModel (fresh JVM)"
if [[ $# -ge 1 ]]; then
  scripts/rnnkit predict --model "savedmodels/brown-genre/$version" --input "$1"
else
  scripts/rnnkit predict --model "savedmodels/brown-genre/$version" <<'TEXT'
The jury praised the city officials for the manner in which the election was conducted.
The Lord is my shepherd, and I shall not want.
The spaceship drifted silently past the dark side of the moon.
He drew his gun and rode into the canyon after the cattle thieves.
The coefficients of the polynomial are determined by the boundary conditions.
She kissed him softly and whispered that she would always love him.
TEXT
fi
echo "== done in $(( $(date +%s) - started )) s"
