#!/usr/bin/env bash
# End-to-end throughput of shroud, reproducible from a fresh clone:
#   scripts/bench.sh              # 1 GiB per format (SIZE=256M for a quick run)
# Builds release, generates seeded customer-like tables (examples/gen.rs: 26 columns, personal
# values, look-alikes, free text) as CSV, JSON Lines and Parquet, then times, at 1 thread and
# at all threads: the parse-only baseline (scan --parse-only: same reader, no detection),
# scan, pseudonymize (default policy, every personal cell tokenized, same format out) and
# aggregate (two-column group-by, count and sum). Prints a markdown table: seconds, MB/s and
# rows/s of input, and peak RSS from /usr/bin/time. Data goes to BENCH_DIR (default: a temp
# dir, removed at the end unless KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE="${SIZE:-1G}"
FORMATS="${FORMATS:-csv jsonl parquet}"
ALL="$(nproc)"
DIR="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$DIR"
[[ "${KEEP:-0}" == 1 || -n "${BENCH_DIR:-}" ]] || trap 'rm -rf "$DIR"' EXIT
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

cargo build --release --quiet --bin shroud --example gen
BIN="$PWD/target/release/shroud"
GEN="$PWD/target/release/examples/gen"
"$BIN" keygen "$DIR/bench.key" --force 2>/dev/null

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "shroud: $("$BIN" --version), size per format: $SIZE"
echo
echo "| command | format | threads | seconds | MB/s | rows/s | peak RSS (MB) |"
echo "|---|---|---|---|---|---|---|"

measure() { # label format threads rows bytes -- command...
    local label=$1 fmt=$2 threads=$3 rows=$4 bytes=$5
    shift 6
    /usr/bin/time -o "$DIR/time.txt" -f "%e %M" "$@" >/dev/null 2>"$DIR/stderr.txt" || {
        echo "| $label | $fmt | $threads | failed: $(tail -1 "$DIR/stderr.txt") | | | |"
        return 0
    }
    local out secs rss
    out=$(tail -1 "$DIR/time.txt")
    secs=${out% *}
    rss=${out#* }
    awk -v l="$label" -v f="$fmt" -v t="$threads" -v s="$secs" -v r="$rows" -v b="$bytes" -v m="$rss" \
        'BEGIN { printf "| %s | %s | %s | %.2f | %.1f | %.0f | %.0f |\n", l, f, t, s, b/1e6/s, r/s, m/1024 }'
}

for fmt in $FORMATS; do
    data="$DIR/customers.$fmt"
    if [[ ! -s "$data" ]]; then
        "$GEN" --format "$fmt" --size "$SIZE" --seed 1 --out "$data" 2>"$DIR/gen.$fmt.log"
    fi
    rows=$(sed -n 's/^wrote \([0-9]*\) rows.*/\1/p' "$DIR/gen.$fmt.log" 2>/dev/null || echo 0)
    bytes=$(stat -c %s "$data")
    for t in 1 "$ALL"; do
        measure "parse only" "$fmt" "$t" "$rows" "$bytes" -- "$BIN" scan "$data" -q -j "$t" --parse-only
        measure "scan" "$fmt" "$t" "$rows" "$bytes" -- "$BIN" scan "$data" -q -j "$t" --report "$DIR/report.json"
        rm -rf "$DIR/out"
        measure "pseudonymize" "$fmt" "$t" "$rows" "$bytes" -- "$BIN" pseudonymize "$data" --out "$DIR/out" --key-file "$DIR/bench.key" -q -j "$t"
        measure "aggregate" "$fmt" "$t" "$rows" "$bytes" -- "$BIN" aggregate "$data" --group-by gender,city --metric count --metric sum:price --out "$DIR/agg.csv" --force -q -j "$t"
    done
done
