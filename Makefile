# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
# test processes: one per core (`make test JOBS=1` runs in one process)
JOBS   ?= auto
BIN    := $(VENV)/bin

.PHONY: demo test serve bench clean

$(BIN)/sijing: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

demo: $(BIN)/sijing
	$(BIN)/sijing demo

test: $(BIN)/sijing
	@# everything but the fault scenarios on every core, then the fault scenarios alone: they start real
	@# servers and time outages, so they get the machine to themselves (and run concurrently among themselves)
	$(BIN)/python -m pytest -n $(JOBS) --dist worksteal -m 'not faults'; s=$$?; $(BIN)/python -m pytest -m faults || s=1; exit $$s

serve: $(BIN)/sijing
	$(BIN)/sijing serve

bench: $(BIN)/sijing
	$(BIN)/python bench/callback.py

clean:
	rm -rf $(VENV) data .pytest_cache
