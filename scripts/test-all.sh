#!/usr/bin/env bash
# The one test command: sets up this checkout (Node 24, npm ci), checks the formatting, then
# type-checks, lints and tests every project through nx, and prints one summary line
# "N passed, N failed, N skipped".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/bootstrap.sh || exit 1
find . -name .vitest-results.json -not -path "./node_modules/*" -delete
status=0
npx prettier --check . --log-level warn || { echo "test-all: formatting differs; run: npm run format" >&2; status=1; }
npx nx run-many -t typecheck lint --output-style=static || status=1
npx nx run-many -t test --output-style=static || status=1
node scripts/summarize-tests.mjs || status=1
exit $status
