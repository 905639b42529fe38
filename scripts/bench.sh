#!/usr/bin/env bash
# End-to-end throughput of shroud, reproducible from a fresh clone.
#
#   scripts/bench.sh                       # examples/gen.rs tables, 1 GiB per format
#   DATA=faker ROWS=400000 scripts/bench.sh   # scripts/eval/gen.py (Faker) tables
#   DATA=faker2 ROWS=400000 scripts/bench.sh  # scripts/eval/gen2.py (Faker, other export)
#   MODE=columns DATA=faker ROWS=400000 FLOOR=50 scripts/bench.sh
#   MODE=startup CEILING=50 scripts/bench.sh
#
# MODE=table (default): builds release, makes the data, then times at 1 thread and at all
# threads the parse-only baseline (scan --parse-only: same reader, no detection), scan,
# pseudonymize (default policy, same format out), pseudonymize --verify, and aggregate
# (two-column group-by, count and sum). Prints a markdown table: seconds, MB/s and rows/s of
# input, peak RSS.
#
# MODE=columns: each column of the CSV table scanned alone at 1 thread (a file per column),
# slowest first, in MB/s of that column's bytes, after subtracting the start-up time (a scan
# of the header alone). With FLOOR=MB/s it exits 1 when a column is below the floor: a
# benchmark gate for a machine you trust, not a timed test.
#
# MODE=startup: `shroud check` of two tiny files (a 2-row table with a name and an email
# column; one free-text cell in two languages), 20 runs each, median CPU milliseconds (user +
# sys) and peak RSS: the cost before the first row. With CEILING=ms it exits 1 when a median
# is above it.
#
# Data goes to BENCH_DIR (default: a temp dir, removed at the end unless KEEP=1). Faker data
# needs Python with Faker and pyarrow (scripts/eval/requirements.txt; PYTHON=...).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${MODE:-table}"
DATA="${DATA:-gen}"
SIZE="${SIZE:-1G}"
ROWS="${ROWS:-400000}"
FORMATS="${FORMATS:-csv jsonl parquet}"
PYTHON="${PYTHON:-python3}"
ALL="$(nproc)"
DIR="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$DIR"
[[ "${KEEP:-0}" == 1 || -n "${BENCH_DIR:-}" ]] || trap 'rm -rf "$DIR"' EXIT
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

if [[ "$MODE" == startup ]]; then
    cargo build --release --quiet --bin shroud
else
    cargo build --release --quiet --bin shroud --example gen
fi
BIN="$PWD/target/release/shroud"
GEN="$PWD/target/release/examples/gen"
"$BIN" keygen "$DIR/bench.key" --force 2>/dev/null

# Makes $DIR/$DATA/customers.$fmt and prints its row count.
make_data() {
    local fmt=$1 out="$DIR/$DATA"
    mkdir -p "$out"
    case "$DATA" in
    gen)
        if [[ ! -s "$out/customers.$fmt" ]]; then
            "$GEN" --format "$fmt" --size "$SIZE" --seed 1 --out "$out/customers.$fmt" 2>"$out/gen.$fmt.log"
        fi
        sed -n 's/^wrote \([0-9]*\) rows.*/\1/p' "$out/gen.$fmt.log"
        ;;
    faker | faker2)
        local script=scripts/eval/gen.py
        [[ "$DATA" == faker2 ]] && script=scripts/eval/gen2.py
        if [[ ! -s "$out/customers.$fmt" ]]; then
            "$PYTHON" "$script" --seed 7 --rows "$ROWS" --formats csv,jsonl,parquet --out "$out" >"$out/gen.log" 2>&1
        fi
        echo "$ROWS"
        ;;
    *) echo "unknown DATA=$DATA (gen, faker, faker2)" >&2; exit 2 ;;
    esac
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "shroud: $("$BIN" --version), data: $DATA ($([[ "$DATA" == gen ]] && echo "$SIZE per format" || echo "$ROWS rows"))"
echo

if [[ "$MODE" == startup ]]; then
    printf 'id,name,email,amount\n1,Anna Schmidt,anna@example.com,12.5\n2,Bob Stone,bob@example.org,3\n' >"$DIR/table.csv"
    printf 'id,notes\n1,"Called Anna Schmidt yesterday, she wants a refund. Ihr Mann Bernd sagt nein."\n' >"$DIR/prose.csv"
    ceiling="${CEILING:-0}"
    above=0
    echo "| input | median CPU ms (20 runs) | peak RSS (MB) | |"
    echo "|---|---|---|---|"
    for f in table prose; do
        # getrusage of each child: /usr/bin/time rounds CPU time to 10 ms.
        line=$("$PYTHON" - "$BIN" "$DIR/$f.csv" <<'EOF'
import resource, subprocess, sys
ms, rss = [], 0
for _ in range(20):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.argv[1], "check", sys.argv[2]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    ms.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    rss = max(rss, after.ru_maxrss)
ms.sort()
print(round(ms[len(ms) // 2]), rss // 1024)
EOF
)
        ms=${line% *}
        rss=${line#* }
        flag=""
        if [[ "$ceiling" != 0 ]] && ((ms > ceiling)); then
            flag=ABOVE
            above=$((above + 1))
        fi
        echo "| $f.csv | $ms | $rss | $flag |"
    done
    if ((above > 0)); then
        echo "$above input(s) above the ceiling of $ceiling ms" >&2
        exit 1
    fi
    exit 0
fi

if [[ "$MODE" == columns ]]; then
    make_data csv >/dev/null
    cols="$DIR/$DATA/columns"
    mkdir -p "$cols"
    "$PYTHON" - "$DIR/$DATA/customers.csv" "$cols" <<'EOF'
import csv, sys, os
src, out = sys.argv[1], sys.argv[2]
csv.field_size_limit(1 << 30)
with open(src, newline="", encoding="utf-8") as f:
    r = csv.reader(f)
    header = next(r)
    files = [open(os.path.join(out, f"{i:02d}.csv"), "w", newline="", encoding="utf-8") for i in range(len(header))]
    writers = [csv.writer(fh, lineterminator="\n") for fh in files]
    for w, h in zip(writers, header):
        w.writerow([h])
    for row in r:
        for w, v in zip(writers, row):
            w.writerow([v])
    for fh in files:
        fh.close()
EOF
    floor="${FLOOR:-0}"
    below=0
    results="$DIR/columns.txt"
    : >"$results"
    for f in "$cols"/*.csv; do
        name=$(head -1 "$f")
        head -1 "$f" >"$DIR/header_only.csv"
        /usr/bin/time -o "$DIR/t0" -f "%U %S" "$BIN" scan "$DIR/header_only.csv" -q -j 1 >/dev/null 2>&1
        /usr/bin/time -o "$DIR/t1" -f "%U %S" "$BIN" scan "$f" -q -j 1 >/dev/null 2>&1
        bytes=$(stat -c %s "$f")
        awk -v n="$name" -v b="$bytes" -v f="$floor" '
            NR == FNR { t0 = $1 + $2; next }
            { t = $1 + $2 - t0; if (t < 0.001) t = 0.001; mbs = b / 1e6 / t;
              printf "%.1f\t%s\t%.1f\t%.2f\t%s\n", mbs, n, b / 1e6, t, (f > 0 && mbs < f) ? "BELOW" : "" }' \
            "$DIR/t0" "$DIR/t1" >>"$results"
    done
    echo "| column | MB | CPU seconds | MB/s (1 thread) | |"
    echo "|---|---|---|---|---|"
    sort -n "$results" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s |\n", $2, $3, $4, $1, $5 }'
    below=$(grep -c BELOW "$results" || true)
    if [[ "$floor" != 0 && "$below" -gt 0 ]]; then
        echo
        echo "$below column(s) below the floor of $floor MB/s" >&2
        exit 1
    fi
    exit 0
fi

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

# Group-by and summed columns of each table (the JSON Lines tables nest some of them).
agg_args() { # format
    case "$DATA/$1" in
    faker/jsonl) echo "gender,address.city price" ;;
    faker/*) echo "gender,city price" ;;
    faker2/jsonl) echo "address.country,address.town billing.total" ;;
    faker2/*) echo "Country,Town Total" ;;
    *) echo "gender,city price" ;;
    esac
}
for fmt in $FORMATS; do
    rows=$(make_data "$fmt")
    data="$DIR/$DATA/customers.$fmt"
    bytes=$(stat -c %s "$data")
    for t in 1 "$ALL"; do
        measure "parse only" "$fmt" "$t" "$rows" "$bytes" -- "$BIN" scan "$data" -q -j "$t" --parse-only
        measure "scan" "$fmt" "$t" "$rows" "$bytes" -- "$BIN" scan "$data" -q -j "$t" --report "$DIR/report.json"
        rm -rf "$DIR/out"
        measure "pseudonymize" "$fmt" "$t" "$rows" "$bytes" -- "$BIN" pseudonymize "$data" --out-dir "$DIR/out" --key-file "$DIR/bench.key" -q -j "$t"
        rm -rf "$DIR/out"
        measure "pseudonymize --verify" "$fmt" "$t" "$rows" "$bytes" -- "$BIN" pseudonymize "$data" --out-dir "$DIR/out" --key-file "$DIR/bench.key" -q -j "$t" --verify
        read -r agg_cols agg_sum <<<"$(agg_args "$fmt")"
        measure "aggregate" "$fmt" "$t" "$rows" "$bytes" -- "$BIN" aggregate "$data" --group-by "$agg_cols" --metric count --metric "sum:$agg_sum" --output "$DIR/agg.csv" --force -q -j "$t" --lenient --allow-identifiers
    done
done
