#!/usr/bin/env bash
# The reliability suite's table: reads the TSV rows the tests wrote (operator/target/reliability/figures.tsv),
# prints them as a Markdown table and keeps it in target/reliability-figures.md (the file CI keeps).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=operator/target/reliability/figures.tsv
out=target/reliability-figures.md
mkdir -p target
{
    echo "## Reliability figures ($(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD 2>/dev/null || echo unknown))"
    echo
    echo "| test | runs | failures | figure |"
    echo "|---|---:|---:|---|"
    if [[ -s $rows ]]; then
        sort "$rows" | awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }'
    else
        echo "| (no reliability test ran) | 0 | 0 | |"
    fi
} > "$out"
cat "$out"
