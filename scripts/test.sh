#!/usr/bin/env bash
# The whole test suite: type checks (engine and renderer), lint, the renderer build, every unit/integration test on
# real data with node's test runner, then the e2e tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d ../shared/data ] || { echo "tests need the shared data folder at ../shared/data (see README)" >&2; exit 1; }
bash scripts/setup-test-deps.sh
npx tsc --noEmit -p tsconfig.json
npx svelte-check --tsconfig renderer/tsconfig.json --threshold warning --output human
npx biome check .
npm run build --silent
node --import tsx scripts/run-tests.ts
# The UI end to end in Debian's Chromium (one at a time: each starts the app and trains).
node --import tsx --test --test-concurrency=1 e2e/*.test.ts
