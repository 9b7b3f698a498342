#!/usr/bin/env bash
# Spam filtering on SpamAssassin with a classifier trained from random initialization and one
# fine-tuned from a language model pretrained on Brown plus the unlabelled training mails.
# Prints one line per run and a Markdown table of validation accuracy, test accuracy and test
# macro-F1 averaged over seeds. Each seed keeps 500 mails of its training pool apart as the
# validation split, except where the run trains on nearly every mail. Choose recipes on it.
#
# Usage: scripts/bench-transfer.sh [SIZES] [SEEDS] [BROWN_TOKENS] [LM_EPOCHS] [RANDOM_RECIPE]
#                                  [FINE_TUNED_RECIPE] [MAX_TOKENS] [LM_MAX_TOKENS] [MODEL]
#                                  [ENCODER] [LM_OPTIMIZER]
#   SIZES              training mails per run, comma-separated, "all" for every one
#                      (default 50,200,1000,all)
#   SEEDS              seeds of the training subset and initialization (default 1,2,3)
#   BROWN_TOKENS       Brown tokens in the language-model text (default 200000); models of
#                      another count are saved below runs/bench-transfer/brown-BROWN_TOKENS
#   LM_EPOCHS          pretraining epochs N, or N+M for M more epochs on the training mails
#                      alone (default 3); a saved language model is reused, and one saved after
#                      fewer epochs is trained on from there
#   RANDOM_RECIPE      recipe of the random-init arm, "-" skips it (default 0.003:1:NONE):
#                      PEAK_RATE:FACTOR:UNFREEZING, then any of the options
#                      :constant (fixed rate instead of slanted triangular), :epochs=N,
#                      :dropout=RATE, :embedding=SCALE (embedding rate multiplier, 0 freezes it),
#                      :embedding-only (load only the pretrained embedding, LSTM starts random),
#                      :rescale (scale the loaded embedding to the random initialization's RMS),
#                      :head=UNITS (a ReLU layer of UNITS between pooling and the logits),
#                      :lm=WEIGHT (an auxiliary language-model loss on the training mails)
#   FINE_TUNED_RECIPE  the same for the arm that starts from the language model
#                      (default 0.01:1:NONE, which fine-tunes the whole pretrained encoder; it
#                      was the best on validation at 200 mails with the default text)
#   MAX_TOKENS         tokens kept from the start of each mail body for the classifier (default 100)
#   LM_MAX_TOKENS      tokens kept per mail in the language-model text (default 1000); the model
#                      is saved as runs/bench-transfer/spam-lm-tT-eN[-mM], or spam-lm-eN[-mM]
#                      for 100
#   MODEL              embedding and LSTM sizes of both arms and of the language model, as
#                      EMBEDDINGxHIDDEN, optionally followed by the maximum vocabulary size and
#                      the number of stacked LSTM layers, as EMBEDDINGxHIDDENxWORDS or
#                      EMBEDDINGxHIDDENxWORDSxLAYERS (default 64x128, which keeps 20,000 words in
#                      one layer). Other sizes save spam-lm-sMODEL-...
#   ENCODER            forward (default), bidirectional or ensemble. With bidirectional, both
#                      arms read each mail in both directions, and the fine-tuned arm loads its
#                      backward half from a second language model. That model is trained on the
#                      same text read backwards and saved below runs/bench-transfer/backward.
#                      With ensemble, each arm averages the class probabilities of a forward
#                      classifier and a second classifier that reads the mails backwards
#                      (fine-tuned from the backward language model).
#   LM_OPTIMIZER       adam (default: Adam at 0.003, clip norm 1) or sgd (plain SGD at 20, clip
#                      norm 0.25, models saved below runs/bench-transfer/sgd)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
sizes="${1:-50,200,1000,all}"
seeds="${2:-1,2,3}"
brown_tokens="${3:-200000}"
lm_epochs="${4:-3}"
random_recipe="${5:-0.003:1:NONE}"
fine_tuned_recipe="${6:-0.01:1:NONE}"
max_tokens="${7:-100}"
lm_max_tokens="${8:-1000}"
model="${9:-64x128}"
encoder="${10:-forward}"
lm_optimizer="${11:-adam}"

scripts/fetch-data.sh brown spam
mvn -B -q -DskipTests test-compile
mkdir -p runs/bench-transfer
TF_CPP_MIN_LOG_LEVEL=2 java \
  -cp "target/classes:target/test-classes:$(cat target/runtime-classpath.txt)" \
  io.rnnkit.transfer.SpamTransferBenchmark \
  data/brown data/spam-assassin runs/bench-transfer "$sizes" "$seeds" "$brown_tokens" \
  "$lm_epochs" "$random_recipe" "$fine_tuned_recipe" "$max_tokens" \
  "$lm_max_tokens" "$model" "$encoder" "$lm_optimizer"
