#!/usr/bin/env bash
# The whole test suite: type check, lint, then every unit/integration test on real data with node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d ../shared/data ] || { echo "tests need the shared data folder at ../shared/data (see README)" >&2; exit 1; }
bash scripts/setup-test-deps.sh
npx tsc --noEmit -p tsconfig.json
npx biome check .
node --import tsx --test --test-concurrency=2 main/test/*.test.ts native-models/test/*.test.ts
