#!/usr/bin/env bash
# The offline plan of a stage: sets up this checkout, then runs the stage's Pulumi program on the
# mock engine (no AWS credentials, no Pulumi CLI) and prints what it would create, every IAM policy
# and the security-rule verdicts. Exit 1 when a rule fails.   usage: scripts/plan.sh [pilot|prod] [--json]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/bootstrap.sh
exec npx tsx stacks/plan.ts "${@:-pilot}"
