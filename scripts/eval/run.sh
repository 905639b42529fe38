#!/usr/bin/env bash
# Accuracy evaluation of shroud against Faker-generated, labelled data.
#
# For every seed x header style it generates customers.{csv,jsonl,parquet}
# with gen.py, runs `shroud scan` on each file, and scores the result with
# score.py; a summary table of all runs is printed at the end.
#
# Environment (all optional):
#   SHROUD     shroud binary            (default: target/release/shroud)
#   GEN        generator in scripts/eval (default: gen.py; or gen2.py)
#   SEEDS      seeds to generate        (default: "1 2")
#   STYLES     header styles            (default: "snake camel title upper";
#              "native" for gen2.py, which has one fixed header style)
#   FORMATS    formats to scan          (default: "csv jsonl parquet")
#   ROWS       rows per data set        (default: 2000)
#   EVAL_DIR   where data and results go (default: a new temp dir, kept)
#   EVAL_VENV  venv used when Faker/pyarrow are not importable
#              (default: ${XDG_CACHE_HOME:-~/.cache}/shroud-eval/venv)
#   PYTHON     Python interpreter       (default: python3)
#
# This script builds nothing: build shroud first (cargo build --release).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

SHROUD="${SHROUD:-target/release/shroud}"
GEN="${GEN:-gen.py}"
SEEDS="${SEEDS:-1 2}"
if [[ "$GEN" == gen2.py ]]; then
    STYLES="${STYLES:-native}"
else
    STYLES="${STYLES:-snake camel title upper}"
fi
FORMATS="${FORMATS:-csv jsonl parquet}"
ROWS="${ROWS:-2000}"
PYTHON="${PYTHON:-python3}"

log() { printf '%s\n' "$*" >&2; }

if [[ ! -x "$SHROUD" ]]; then
    log "error: shroud binary not found at '$SHROUD' (build it, or set SHROUD=/path/to/shroud)"
    exit 1
fi

# --- Python with Faker + pyarrow -------------------------------------------
# Use the given interpreter if it already has both; otherwise install the
# pinned requirements into a venv, falling back to `pip install --user`.
have_deps() { "$1" -c 'import faker, pyarrow' >/dev/null 2>&1; }
if ! have_deps "$PYTHON"; then
    EVAL_VENV="${EVAL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/shroud-eval/venv}"
    if [[ -x "$EVAL_VENV/bin/python" ]] && have_deps "$EVAL_VENV/bin/python"; then
        PYTHON="$EVAL_VENV/bin/python"
    elif "$PYTHON" -m venv "$EVAL_VENV" >/dev/null 2>&1; then
        log "installing Faker and pyarrow into $EVAL_VENV"
        "$EVAL_VENV/bin/python" -m pip install --quiet -r "$HERE/requirements.txt"
        PYTHON="$EVAL_VENV/bin/python"
    else
        log "python venv unavailable; installing Faker and pyarrow with pip --user"
        "$PYTHON" -m pip install --quiet --user -r "$HERE/requirements.txt"
    fi
    have_deps "$PYTHON" || { log "error: could not make Faker and pyarrow importable"; exit 1; }
fi
pinned="$(sed -n 's/^faker==//p' "$HERE/requirements.txt")"
actual="$("$PYTHON" -c 'import faker; print(faker.VERSION)')"
if [[ "$actual" != "$pinned" ]]; then
    log "warning: Faker $actual (pinned $pinned): data for a seed differs from other Faker versions"
fi

# --- Generate, scan, score --------------------------------------------------
EVAL_DIR="${EVAL_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/shroud-eval.XXXXXX")}"
mkdir -p "$EVAL_DIR/results"
log "shroud:  $SHROUD"
log "workdir: $EVAL_DIR"

failures=0
for seed in $SEEDS; do
    for style in $STYLES; do
        data="$EVAL_DIR/data/seed$seed-$style"
        "$PYTHON" "$HERE/$GEN" --seed "$seed" --rows "$ROWS" --header-style "$style" \
            --formats "$(tr ' ' ',' <<<"$FORMATS")" --out "$data"
        for fmt in $FORMATS; do
            tag="seed$seed-$style-$fmt"
            report="$EVAL_DIR/results/$tag.report.json"
            findings="$EVAL_DIR/results/$tag.findings.jsonl"
            rm -f "$report" "$findings"
            # shroud may use its exit status to signal "PII found"; judge the
            # run by whether it wrote a report, and keep its stderr.
            rc=0
            "$SHROUD" scan "$data/customers.$fmt" --report "$report" --findings "$findings" --quiet \
                2>"$EVAL_DIR/results/$tag.stderr" || rc=$?
            if [[ ! -s "$report" ]]; then
                log "FAILED: shroud scan $data/customers.$fmt (exit $rc, no report; see $EVAL_DIR/results/$tag.stderr)"
                failures=$((failures + 1))
                continue
            fi
            findings_arg=()
            [[ -f "$findings" ]] && findings_arg=(--findings "$findings")
            "$PYTHON" "$HERE/score.py" --labels "$data/labels.json" --format "$fmt" \
                --report "$report" "${findings_arg[@]}" --summary-json "$EVAL_DIR/results/$tag.score.json" \
                | tee "$EVAL_DIR/results/$tag.md" || {
                log "FAILED: score.py on $report"
                failures=$((failures + 1))
            }
            echo
        done
    done
done

shopt -s nullglob
"$PYTHON" "$HERE/summarize.py" "$EVAL_DIR"/results/*.score.json \
    | tee "$EVAL_DIR/results/summary.md"
log "results: $EVAL_DIR/results (per-run *.md, summary.md)"

if ((failures > 0)); then
    log "$failures scan(s) failed"
    exit 1
fi
