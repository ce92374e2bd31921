#!/usr/bin/env bash
# Reproduce the reports figures in docs/performance.md (issue 4).
#
#   bench/reports/run.sh                 SQLite (synchronous=FULL), and PostgreSQL
#                                        when CONTEST_TEST_POSTGRES holds a DSN
#   KILL_POINTS=1000 bench/reports/run.sh   a longer SIGKILL durability run
#
# BenchmarkPublicReports drives POST /api/v1/public/reports through the whole
# HTTP handler from 32 concurrent reporters (b.RunParallel, parallelism 16 on
# 2 cores), each request from its own client address, and reports reports/s
# and the p50/p99 latency of one request. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "machine: $(nproc) cores; $(lscpu | grep 'Model name' | sed 's/ \+/ /g'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "go: $(go version)"
echo "== BenchmarkPublicReports (6,000 reports per run, 3 runs)"
go test -run '^$' -bench 'BenchmarkPublicReports' -benchtime 6000x -count 3 ./web | grep -E '^Benchmark|^ok'
echo "== SIGKILL durability: ${KILL_POINTS:-200} kill points"
CONTEST_KILL_POINTS=${KILL_POINTS:-200} go test -count=1 -run TestReportsSurviveKill -v ./cmd/contest | grep -E 'kill points|^(--- |ok|FAIL)'
