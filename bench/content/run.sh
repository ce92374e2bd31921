#!/usr/bin/env bash
# Reproduce the content-referral figures in docs/performance.md (issue 8):
# GET /api/v1/match's store call end to end (hash index catch-up, query at
# distance 31 in all enabled banks, lookup of the hits, audit entry) with
# 100,000 and 1,000,000 PDQ signals in a bank, and the CSV import rate. The
# PDQ hashing and index figures themselves are bench/pdq/run.sh's.
#
# Usage: bench/content/run.sh [--quick]   (--quick skips the 1M-signal run,
# which spends about 2 minutes importing)
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "machine: $(nproc) cores; $(lscpu | grep 'Model name' | sed 's/ \+/ /g'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "go: $(go version)"
for n in 100000 1000000; do
	if [ "$n" = 1000000 ] && [ "${1:-}" = "--quick" ]; then
		break
	fi
	echo "== BenchmarkMatchSignal, $n signals, 3,000 queries"
	CONTEST_BENCH_SIGNALS=$n go test -count=1 -run '^$' -bench 'BenchmarkMatchSignal' -benchtime 3000x -timeout 30m ./db | grep -E '^Benchmark|^ok'
done
