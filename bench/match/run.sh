#!/usr/bin/env bash
# Reproduce the figures in docs/performance/match.md.
#
#   bench/match/run.sh            FEBRL4, FEBRL3, hard set, EM against truth, bench at
#                                 1,000,000, accuracy at 1,000,000, dedupe of 1,000,000
#   RECORDS=100000 bench/match/run.sh   smaller scale
#
# On a shared machine, note the load average printed before each large run:
# wall times scale with it; the CPU times (user + sys, and the bench's
# per-query thread CPU time) are the steadier figures.
#
# The FEBRL ground truth (rec-<n>-...) is read by the awk scorer below only;
# contest itself treats rec_id as an opaque key.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS=${RECORDS:-1000000}
FEBRL=${FEBRL:-../shared/data/febrl}
OUT=${OUT:-$(mktemp -d)}
BIN=$OUT/contest
go build -o "$BIN" ./cmd/contest
echo "machine: $(nproc) cores; $(lscpu | grep 'Model name' | sed 's/ \+/ /g')"
echo "go: $(go version)"
TIME="wall %e s, user %U s, sys %S s, max RSS %M KiB"

# score FILE TRUE_PAIRS: precision, recall, F1 at probability >= 0.5, and
# blocking recall (true pairs among all candidate pairs written with
# --threshold 0).
score() {
  awk -F, -v truth="$2" '
    NR == 1 { next }
    { split($1, a, "-"); split($2, b, "-"); same = (a[2] == b[2]) }
    same { cand++ }
    $3 >= 0.5 { if (same) tp++; else fp++ }
    END {
      p = tp / (tp + fp); r = tp / truth; f = 2 * p * r / (p + r)
      printf "TP %d FP %d FN %d  precision %.4f  recall %.4f  F1 %.4f  blocking recall %.4f\n", tp, fp, truth - tp, p, r, f, cand / truth
    }' "$1"
}

if [ -f "$FEBRL/dataset4a.csv" ]; then
  echo "== FEBRL4 link (5,000 x 5,000; 5,000 true pairs)"
  /usr/bin/time -f "$TIME" "$BIN" match link --left "$FEBRL/dataset4a.csv" --right "$FEBRL/dataset4b.csv" \
    --id-column rec_id --threshold 0 --out "$OUT/febrl4.csv"
  score "$OUT/febrl4.csv" 5000
  echo "== FEBRL3 dedupe (5,000 records; 6,538 true pairs)"
  /usr/bin/time -f "$TIME" "$BIN" match dedupe --in "$FEBRL/dataset3.csv" --id-column rec_id --threshold 0 --out "$OUT/febrl3.csv"
  score "$OUT/febrl3.csv" 6538
  echo "== package evaluation tests"
  go test -count=1 -run 'FEBRL|HarderUK' -v ./match/ | grep -E 'FEBRL|UK variation|ok|FAIL'
else
  echo "FEBRL data not found in $FEBRL; skipping"
fi

echo "== hard set per variation, EM against truth-derived parameters"
go test -count=1 -run 'HardSet|EMNearTruth' -v ./match/ | grep -E 'hard_test|estimate_test|ok|FAIL'

echo "== bench: index $RECORDS synthetic people, 10,000 queries, one core (load: $(cut -d' ' -f1-3 /proc/loadavg))"
"$BIN" match bench --records "$RECORDS" --queries 10000

echo "== accuracy and blocking recall at $RECORDS records with known truth (load: $(cut -d' ' -f1-3 /proc/loadavg))"
MATCH_SCALE=$RECORDS go test -count=1 -timeout 60m -run Scale -v ./match/ | grep -E 'scale_test|ok|FAIL' | grep -v 'Level:'

echo "== dedupe $RECORDS synthetic records (20% are further records of an earlier person)"
"$BIN" match bench --records "$RECORDS" --write-csv "$OUT/synth.csv"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "$TIME" "$BIN" match dedupe --in "$OUT/synth.csv" --id-column rec_id --out "$OUT/synth-pairs.csv"
echo "pairs written: $(($(wc -l < "$OUT/synth-pairs.csv") - 1))"
echo "outputs in $OUT"
