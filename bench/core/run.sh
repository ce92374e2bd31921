#!/usr/bin/env bash
# Reproduces the platform-core figures in docs/performance.md.
# Set CONTEST_TEST_POSTGRES (scripts/pg-start.sh prints a DSN) to include PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/../.."
go test -run '^$' -bench 'AuditEntry' -benchtime 3000x ./db/
go test -run '^$' -bench 'AuditVerify' -benchtime 3x ./db/
go test -run '^$' -bench 'Benchmark(HomePage|AuditorHomePage|RecordPage)$' -benchtime 300x ./web/
# Home and record pages with the demo data loaded (public scale), p50/p90/CPU per request.
go test -run '^$' -bench 'DemoPages' -benchtime 300x ./web/
go build -o /tmp/contest-bench ./cmd/contest
rm -rf /tmp/contest-bench-demo
/usr/bin/time -v /tmp/contest-bench demo --data /tmp/contest-bench-demo --load-only 2>&1 | grep -E 'loaded in|Elapsed|Maximum resident'
