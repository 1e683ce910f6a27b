# The README's first two commands: `make demo` (set up, then run the main job end to end)
# and `make test` (set up, then run every test). Both work on a fresh machine.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
LIBRARY ?= $(if $(wildcard ../shared/library),../shared/library,sample-library)
INDEX   ?= default
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export RAGAS_DO_NOT_TRACK := true

.PHONY: setup system-deps demo serve test test-fast clean

$(BIN)/mcdewey: pyproject.toml
	$(PY) -m venv $(VENV)
	# The CPU build of torch first: left to itself pip would pull a CUDA build of several GB.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,notebooks,s3,ray]'
	touch $@

setup: $(BIN)/mcdewey

# Browser and Node for the end-to-end tests (Debian's chromium; no browser download), each piece
# installed on its own and only when missing: scripts/system-deps.sh says why.
system-deps:
	@bash scripts/system-deps.sh

QUERIES ?= $(if $(filter sample-library,$(LIBRARY)),evals/queries/sample-library.jsonl,../shared/evals/dev)
EXPORT  ?= export/$(INDEX)

sample-library: | setup
	$(BIN)/mcdewey sample-library sample-library

# The main job, end to end: read → chunk → embed → store, evaluate, export. `make serve` serves the export.
demo: setup $(if $(filter sample-library,$(LIBRARY)),sample-library)
	$(BIN)/mcdewey ingest $(LIBRARY) --index $(INDEX)
	$(BIN)/mcdewey eval run $(QUERIES) --index $(INDEX) --mode all --out reports/$(INDEX)
	$(BIN)/mcdewey export --index $(INDEX) --to $(EXPORT)
	@echo "Report: reports/$(INDEX)/report.html   Serve the export: make serve"

serve: setup
	$(BIN)/mcdewey serve $(EXPORT)

test: setup system-deps
	$(BIN)/pytest -n 2 --durations=15

test-fast: setup
	$(BIN)/pytest -n 2 -m 'not slow'

clean:
	rm -rf $(VENV) .mcdewey .pytest_cache .hypothesis
