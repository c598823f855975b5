#!/usr/bin/env bash
# `make test`: the whole suite with the project's venv (set-up already done by `make setup-test`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
.venv/bin/ruff check plugins dags tests
# The test files run on every core, up to 4 (pytest-xdist; a file stays on one worker so its module
# fixtures are built once; each worker has its own AIRFLOW_HOME, see tests/conftest.py).
# CONGKHAI_TEST_WORKERS=1 runs everything in one process. The 25 slowest tests are listed at the end.
workers=${CONGKHAI_TEST_WORKERS:-$(n=$(nproc); echo $(( n > 4 ? 4 : n )))}
if [ "$workers" -gt 1 ]; then set -- -n "$workers" --dist loadfile --no-loadscope-reorder "$@"; fi
exec .venv/bin/python -m pytest --durations=25 "$@"
