#!/usr/bin/env bash
# Reproduce the figures in docs/performance/pdq.md: PDQ conformance against
# the reference C++ vectors, end-to-end hashing speed of 1024x768 JPEG files
# on one core, and index lookups at 1M and 10M hashes.
#
# Usage: bench/pdq/run.sh [--quick]     (--quick skips the 10M-hash index)
# Needs the shared test data at ../shared/data/pdq (relative to the repo).
# The 10M benchmark holds about 650 MB and takes a few minutes to build.
set -euo pipefail
cd "$(dirname "$0")/../.."
quick=${1:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== machine"
date -u +%Y-%m-%dT%H:%MZ
nproc
lscpu | head -20
go version
uptime

echo
echo "== conformance: per-image distance to the reference C++ (cpp_computed_here.csv)"
go test ./pdq -count=1 -run 'TestConformanceComputedHere$' -v | sed -n 's/^ *pdq_test.go:[0-9]*: //p'
echo "== upstream vectors (cpp_reference_vectors.csv incl. 8 dihedrals), Python vectors, rotated files"
go test ./pdq -count=1 -run 'TestReferenceVectors$|TestPythonVectors$|TestRotatedFilesMatchDihedrals$' -v |
	grep -E '^(--- |ok|FAIL)|vs ' | grep -v -- '--- PASS: TestReferenceVectors/'

echo
echo "== hashing, end to end from 1024x768 q85 JPEG files (read + decode + hash), one core"
PDQ_WRITE_BENCH_DIR="$out" go test ./pdq -count=1 -run TestWriteBenchJPEGs -v | grep -c 'bytes' >/dev/null
go build -o "$out/contest" ./cmd/contest
for set in bench plasma; do
	case $set in
	bench) echo "-- set 'photo': 20 crops of bridge-mods/aaa-orig.jpg, area-averaged to 1024x768" ;;
	plasma) echo "-- set 'plasma': 20 plasma fractals with a circle and a rectangle (the peers' kind of set)" ;;
	esac
	ls -l "$out"/$set-*.jpg | awk '{s+=$5} END {printf "%d files, mean %.0f bytes\n", NR, s/NR}'
	GOMAXPROCS=1 taskset -c 0 "$out/contest" hash bench --n 1000 --rounds 3 "$out"/$set-*.jpg
done
echo "-- go test benchmarks (in-memory JPEG; image/jpeg decode alone for comparison)"
GOMAXPROCS=1 taskset -c 0 go test ./pdq -count=1 -run XXX -bench 'HashJPEG|StdlibDecode' -benchtime 2s -cpu 1

echo
echo "== index: lookups at distance 31 (half planted near-duplicates, half random)"
go test ./pdq -count=1 -run 'TestIndex' -v | grep -E '^(--- |ok|FAIL)|matches checked'
taskset -c 0 go test ./pdq -count=1 -run XXX -bench 'IndexQuery1M|BruteForce1M' -benchtime 5000x -cpu 1
if [ "$quick" != "--quick" ]; then
	PDQ_BENCH_10M=1 taskset -c 0 go test ./pdq -count=1 -run XXX -bench 'IndexQuery10M' -benchtime 5000x -cpu 1 -timeout 30m
fi
