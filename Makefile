# The README's commands. Each does its own set-up (scripts/setup.sh is idempotent).
.PHONY: run test stop demo previews lint bench setup setup-test

setup:          ## what the pipeline needs (requirements.lock)
	@scripts/setup.sh

setup-test:     ## and the test tools: pytest, ruff, playwright... (requirements-test.lock)
	@scripts/setup.sh --test

run:            ## start the embedded Airflow and the pipeline on the sample documents
	@scripts/run.sh

stop:           ## stop every process `make run` started
	@scripts/stop.sh

test: setup-test ## the whole test suite (what CI runs)
	@scripts/test.sh

demo: setup     ## replay the sample year 2024 of Kép into data/demo-archive
	@.venv/bin/congkhai replay --commune kep --year 2024 --inbox samples/kep-2024 --archive data/demo-archive

previews: setup ## page-1 PNG of every document kind, into docs/previews/
	@.venv/bin/python scripts/previews.py

lint: setup-test
	@.venv/bin/ruff check plugins dags tests bench scripts

bench: setup
	@for b in bench/*.py; do echo "== $$b"; .venv/bin/python $$b; done
