#!/usr/bin/env bash
# Before committing: format, then the README's test command (type-check, lint, every test).
set -euo pipefail
cd "$(dirname "$0")/.."
npx biome check --write . >/dev/null 2>&1 || true
npm test 2>&1 | tail -12
