#!/usr/bin/env bash
# Peak memory stays bounded, whatever the input size: generates a large seeded table
# (examples/gen.rs; SIZE=2G by default) in CSV, JSON Lines and Parquet, runs scan,
# pseudonymize and aggregate on each with THREADS workers (default 1), and checks each peak
# RSS (from /usr/bin/time) against BOUND_MB (default 512). Also checks that input size does not drive
# memory: the same commands on a quarter of the data must peak within 25% + 32 MB of it.
# Exit status 1 when a bound is broken. A benchmark, not a test: it takes minutes.
#   scripts/rss.sh                 # SIZE=2G BOUND_MB=512 THREADS=1
#   SIZE=5G scripts/rss.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE="${SIZE:-2G}"
BOUND_MB="${BOUND_MB:-512}"
THREADS="${THREADS:-1}"
FORMATS="${FORMATS:-csv jsonl parquet}"
DIR="${RSS_DIR:-$(mktemp -d)}"
mkdir -p "$DIR"
[[ -n "${RSS_DIR:-}" ]] || trap 'rm -rf "$DIR"' EXIT
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

cargo build --release --quiet --bin shroud --example gen
BIN="$PWD/target/release/shroud"
GEN="$PWD/target/release/examples/gen"
"$BIN" keygen "$DIR/k.key" --force 2>/dev/null
quarter=$(awk -v s="$SIZE" 'BEGIN { n = s + 0; u = substr(s, length(s)); printf "%d%s", n * (u ~ /[GMK]/ ? 256 : 0.25), (u == "G" ? "M" : (u == "M" ? "K" : "")) }')

peak() { # prints peak RSS in MB of the command
    /usr/bin/time -o "$DIR/t" -f "%M" "$@" >/dev/null 2>"$DIR/err" || {
        echo "failed: $* : $(tail -1 "$DIR/err")" >&2
        return 1
    }
    echo $(( $(tail -1 "$DIR/t") / 1024 ))
}

status=0
echo "threads: $THREADS"
echo "| command | format | input | peak RSS (MB) at $SIZE | at $quarter | bound |"
echo "|---|---|---|---|---|---|"
for fmt in $FORMATS; do
    big="$DIR/big.$fmt"
    small="$DIR/small.$fmt"
    "$GEN" --format "$fmt" --size "$SIZE" --seed 3 --out "$big" 2>/dev/null
    "$GEN" --format "$fmt" --size "$quarter" --seed 3 --out "$small" 2>/dev/null
    mb=$(( $(stat -c %s "$big") / 1000000 ))
    for cmd in scan pseudonymize aggregate; do
        run() {
            case $cmd in
                scan) peak "$BIN" scan "$1" -j "$THREADS" -q --report "$DIR/r.json" ;;
                pseudonymize) rm -rf "$DIR/p"; peak "$BIN" pseudonymize "$1" --out-dir "$DIR/p" --key-file "$DIR/k.key" -j "$THREADS" -q ;;
                aggregate) peak "$BIN" aggregate "$1" --group-by gender,city --metric count -j "$THREADS" --output "$DIR/a.csv" --force ;;
            esac
        }
        a=$(run "$big") || { status=1; continue; }
        b=$(run "$small") || { status=1; continue; }
        verdict="ok"
        if (( a > BOUND_MB )); then verdict="OVER $BOUND_MB"; status=1; fi
        if (( a > b * 5 / 4 + 32 )); then verdict="$verdict; grows with input"; status=1; fi
        echo "| $cmd | $fmt | $mb MB | $a | $b | $verdict |"
    done
    rm -f "$big" "$small"
done
exit $status
