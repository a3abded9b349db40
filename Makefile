# The two commands of the README:
#   make run-cluster   a whole cluster on this machine, in the foreground
#   make test          the tox matrix: lint, then unit and integration tests
#                      on Python 3.10 to 3.13
# Both set up everything they need on a fresh Debian 12 machine.

PYTHON ?= python3
VENV := .venv
# tox finds pyenv's interpreters only when their bin directories are on PATH.
PYENV_BINS := $(shell ls -d $(HOME)/.pyenv/versions/3.1[0-3].*/bin 2>/dev/null | tr '\n' ':')
export PATH := $(PYENV_BINS)$(PATH)

.PHONY: run-cluster test lint system-deps venv clean

run-cluster: system-deps venv
	$(VENV)/bin/notestore-cluster --var var

test: system-deps venv
	$(VENV)/bin/tox run

lint: venv
	$(VENV)/bin/tox run -e lint

system-deps:
	./scripts/ensure-system-deps

venv: $(VENV)/.installed

$(VENV)/.installed: setup.py setup.cfg requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt -e .
	touch $@

clean:
	rm -rf $(VENV) .tox build *.egg-info
