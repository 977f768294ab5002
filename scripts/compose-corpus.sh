#!/usr/bin/env bash
# The Compose corpus figure (issue 19): of the public compose files in CORPUS_DIR that Compose accepts, how many
# `berth import compose` imports with valid output, refuses (with the top reasons), turns into invalid output,
# crashes or hangs on, and in how many it changes a value without a warning ("silent changes").
# Not part of the normal build or tests (the harness is in bench/, profile -Pbench).
#
#   scripts/compose-corpus.sh /work/corpus            # table on stdout and in target/compose-corpus.txt
#   COMPOSE_CORPUS_SKIP_BUILD=1 scripts/compose-corpus.sh /work/corpus
#
# CORPUS_DIR holds one folder per compose project (owner__repo__path) with its compose file, override file, .env
# and env_files; SOURCES.tsv there names where each came from (docs/compose.md, "Corpus figure").
# Acceptance filter: Debian's docker-compose 1.29 loader (what `docker-compose -f FILE [-f OVERRIDE] config -q` runs,
# in one process: scripts/compose-corpus-filter.py), the folder as project directory, an empty environment;
# installed with apt-get when missing. docs/compose.md says what it refuses that Compose v2 would take.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:?usage: scripts/compose-corpus.sh CORPUS_DIR}
corpus=$(cd "$corpus" && pwd)
mkdir -p target
if ! command -v docker-compose >/dev/null; then
  echo "installing docker-compose (the acceptance filter)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi
if [ "${COMPOSE_CORPUS_SKIP_BUILD:-}" != 1 ]; then
  mvn -B -ntp -q -o package -DskipTests -Pbench -pl bench -am 2>/dev/null \
    || mvn -B -ntp -q package -DskipTests -Pbench -pl bench -am
fi

# Acceptance: docker-compose 1.29's loader over every folder, one line each: folder, verdict, first complaint.
filter=target/compose-corpus-filter.tsv
env -i PATH=/usr/bin:/bin HOME=/tmp /usr/bin/python3 scripts/compose-corpus-filter.py "$corpus" > "$filter"

rule="docker-compose $(docker-compose version --short 2>/dev/null)'s loader (config -q) accepts the file (+ override) from its folder with an empty environment; top-level name:/version: and keys newer than 1.29 alone are not held against it"
java -cp "bench/target/classes:bench/target/lib/*" dev.berth.bench.corpus.ComposeCorpus \
  "$corpus" "$filter" target/compose-corpus.txt "$rule"
