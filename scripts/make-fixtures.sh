#!/usr/bin/env bash
# Rewrites the fixture SavedModels under savedmodels/fixtures/ with the current code. Run it only
# when a change to the export format is intended: FixtureCompatibilityTest compares later code with
# the outputs stored here.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -DskipTests test-compile
classpath_file="$root/target/test-classpath.txt"
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file"
rm -rf savedmodels/fixtures
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
java -cp "target/test-classes:target/classes:$(cat "$classpath_file")" \
  io.rnnkit.export.FixtureGenerator savedmodels/fixtures
du -sh savedmodels/fixtures/*/1
