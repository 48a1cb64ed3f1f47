# The course's commands. Each bootstraps the pinned environment in .venv on first use.
#   make lab       open JupyterLab on the course (its settings: jupyter-config/lab/settings)
#   make reset NOTEBOOK=02  put notebook 02 back as committed (your version goes to backups/)
#   make book      build the static book into _build/html
#   make book-classroom  build the classroom edition, without solutions, into _build/classroom/html
#   make test      run every test (unit, doctests, notebooks under nbval, book, browser)
#   make fuzz      a long property-based (fuzzing) campaign on the readers; failures are kept
#                  in tests/fuzz-corpus and replayed by later runs (FUZZ_EXAMPLES per test)
#   make execute   re-run every notebook in place (refresh the stored outputs, figures' alt texts)
#   make data      regenerate every dataset in data/ from its seeded generator
#   make lock      re-resolve requirements.in into requirements.txt and environment.yml
#   make lab-ready make the notebooks ready for JupyterLab (exercise numbers, collapsed solutions,
#                  each notebook's glossary): run it after writing or changing a notebook

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]-*.ipynb))

.PHONY: lab lab-ready reset book book-classroom test fuzz execute data lock clean

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# axe-core (the accessibility audit injected into the book's pages by the browser tests).
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# Jupyter refuses to start as root unless told; containers and lab machines often run as root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

# Settings JupyterLab reads from the course folder (overrides.json: no news pop-up, no update check),
# whatever the learner's home holds.
LAB_SETTINGS := jupyter-config/lab/settings

lab: $(STAMP)
	$(BIN)/jupyter lab $(ALLOW_ROOT) --LabApp.app_settings_dir="$(CURDIR)/$(LAB_SETTINGS)" notebooks/00-start-here.ipynb

lab-ready: $(STAMP)
	$(BIN)/python -m ingress_egress.course lab-ready

reset: $(STAMP)
	@test -n "$(NOTEBOOK)" || { echo "Which notebook? make reset NOTEBOOK=02 (or NOTEBOOK=all for every changed one)"; exit 2; }
	@$(BIN)/python -m ingress_egress.course reset "$(NOTEBOOK)"

book: $(STAMP)
	$(BIN)/jupyter-book build . --all --warningiserror --keep-going
	@echo "The book is in _build/html/index.html"

book-classroom: $(STAMP)
	$(BIN)/python -m ingress_egress.course classroom-config _config.yml _build/classroom/_config.yml
	$(BIN)/jupyter-book build . --config _build/classroom/_config.yml --path-output _build/classroom \
		--all --warningiserror --keep-going
	rm -rf _build/classroom/html && mv _build/classroom/_build/html _build/classroom/html
	@echo "The classroom book (no solutions) is in _build/classroom/html/index.html"

# Before and after the tests, name the notebooks that differ from the committed ones: nbval re-runs
# them, so a learner's edits fail their tests (and `make reset NOTEBOOK=NN` undoes them).
test: $(STAMP) $(NODE_STAMP)
	@$(BIN)/python -m ingress_egress.course changed
	$(BIN)/python -m pytest || { status=$$?; $(BIN)/python -m ingress_egress.course changed; exit $$status; }

FUZZ_EXAMPLES ?= 3000

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -p no:cacheprovider \
		--hypothesis-show-statistics $(sort $(wildcard tests/test_fuzz_*.py))

execute: $(STAMP)
	cd notebooks && for nb in $(notdir $(NOTEBOOKS)); do \
		../$(BIN)/jupyter nbconvert --to notebook --execute --inplace --NotebookClient.record_timing=False $$nb || exit 1; done
	$(BIN)/python tools/figure_alt.py $(NOTEBOOKS)

data: $(STAMP)
	$(BIN)/python -m ingress_egress.datagen data

lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -r requirements.in
	{ echo "# Exact pins of every package the course needs (made by \`make lock\` from requirements.in)."; \
	  echo "# environment.yml carries the same pins; a test fails when they disagree."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable; } > requirements.txt
	$(PYTHON) tools/sync_environment.py
	rm -rf .lock-venv

clean:
	rm -rf _build .pytest_cache
