#!/usr/bin/env bash
# `make test`: the whole suite with the project's venv (set-up already done by `make setup-test`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
.venv/bin/ruff check plugins dags tests
exec .venv/bin/python -m pytest "$@"
