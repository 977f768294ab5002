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
# Acceptance filter: Debian's docker-compose 1.29 (`docker-compose -f FILE [-f OVERRIDE] config -q`, the folder as
# cwd, an empty environment), installed with apt-get when missing; see docs/compose.md for what it refuses that
# Compose v2 would take.
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

# Acceptance: what the filter says about every folder, one line each: folder, accepted|refused, first complaint.
accepts() { # accepts DIR -f FILE...: docker-compose 1.29's verdict, its complaint on stdout
  local dir=$1; shift
  (cd "$dir" && env -i PATH=/usr/bin:/bin HOME=/tmp timeout 30 docker-compose "$@" config -q 2>&1)
}
# Keys of the Compose Specification that came after docker-compose 1.29: a complaint about one of these alone is
# 1.29's age, not the file's fault, so the file counts as accepted ("accepted-v2").
V2_ONLY="develop|include|required|start_interval|additional_contexts|ssh|tags|platforms|annotations|attach|cgroup|uts|post_start|pre_stop|gw_priority|models|provider|label_file|path|format|driver_opts|x-[A-Za-z0-9_-]+"
v2_only() {
  local complaints
  complaints=$(grep -v -E '^WARNING|variable is not set|^ *$|is invalid because:$|wrong Compose file version|compose-file/$' <<<"$1")
  [ -n "$complaints" ] || return 1
  ! grep -v -q -E "(Unsupported config option for [^:]+: |contains unsupported option: |Additional properties are not allowed \\()'($V2_ONLY)'( was unexpected\\))?\$" <<<"$complaints"
}
filter=target/compose-corpus-filter.tsv
cache="$corpus/.filter-cache"
mkdir -p "$cache"
: > "$filter"
for dir in "$corpus"/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  main=""
  for f in compose.yaml compose.yml docker-compose.yml docker-compose.yaml; do
    [ -f "$dir/$f" ] && { main=$f; break; }
  done
  [ -n "$main" ] || continue
  args=(-f "$main")
  for f in compose.override.yaml compose.override.yml docker-compose.override.yml docker-compose.override.yaml; do
    [ -f "$dir/$f" ] && { args+=(-f "$f"); break; }
  done
  # The filter's verdict depends only on the folder's files: cached by their checksum, so a rerun after an
  # importer change takes seconds, not a docker-compose start per folder.
  sum=$(cd "$dir" && find . -type f -print0 | sort -z | xargs -0 md5sum | md5sum | cut -c1-16)
  cached="$cache/$name.$sum"
  if [ -f "$cached" ]; then
    cat "$cached" >> "$filter"
    continue
  fi
  verdict=refused
  out=$(accepts "$dir" "${args[@]}") && verdict=accepted
  if [ $verdict = refused ] && grep -q "'name' does not match any of the regexes" <<<"$out"; then
    # Top-level name: is Compose v2's (1.29 predates it): ask again without it, in a copy of the folder.
    copy=$(mktemp -d); cp -r "$dir"/. "$copy"/
    for f in "${args[@]}"; do [ "$f" = -f ] || sed -i -E '/^name:/d' "$copy/$f"; done
    out=$(accepts "$copy" "${args[@]}") && verdict=accepted-v2
    rm -rf "$copy"
  fi
  if [ $verdict = refused ] && v2_only "$out"; then
    verdict=accepted-v2
  fi
  if [ $verdict = refused ]; then
    # The complaint without the file's own names, so equal complaints count up.
    reason=$(printf '%s\n' "$out" | grep -v -E '^WARNING|variable is not set|^ *$|is invalid because:$' | head -1 \
      | sed -E "s#$corpus/[^/ ]+/?#./#g; s/'[^']*'/'…'/g; s/\"[^\"]*\"/\"…\"/g; s/services\.[A-Za-z0-9_.-]+/services.*/g" | cut -c1-140)
    printf '%s\trefused\t%s\n' "$name" "${reason:-exit code only}" > "$cached"
  else
    printf '%s\t%s\t\n' "$name" "$verdict" > "$cached"
  fi
  cat "$cached" >> "$filter"
done

rule="docker-compose $(docker-compose version --short 2>/dev/null) 'config -q' accepts the file (+ override), cwd = its folder, empty environment; a top-level name: or a key newer than 1.29 alone is not held against it"
java -cp "bench/target/classes:bench/target/lib/*" dev.berth.bench.corpus.ComposeCorpus \
  "$corpus" "$filter" target/compose-corpus.txt "$rule"
