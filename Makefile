# Two entry points for a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
EXTRAS := dev,agents,mcp,mcp-server,sqlite,postgres,studio,server,docs
# Every package at the version constraints.txt pins, build tools included.
PIN := -c constraints.txt --build-constraint constraints.txt

.PHONY: demo test unit lint docs clean constraints

$(VENV)/.installed: pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -c constraints.txt pip
	$(PY) -m pip install -q $(PIN) -e '.[$(EXTRAS)]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/okx-auth-graph demo

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# The documentation site (docs/, mkdocs.yml), built into site/; any warning fails it.
docs: $(VENV)/.installed
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

test: lint docs
	$(VENV)/bin/pytest

# The unit tier alone: no process, server or browser starts (tests/conftest.py marks the rest).
unit: $(VENV)/.installed
	$(VENV)/bin/pytest -m "not integration"

# Re-resolve every pin from pyproject.toml's bounds (today's newest releases).
constraints:
	rm -rf .constraints-venv
	python3 -m venv .constraints-venv
	.constraints-venv/bin/python -m pip install -q --upgrade pip setuptools
	.constraints-venv/bin/python -m pip install -q -e '.[$(EXTRAS)]'
	{ sed -n '/^#/p' constraints.txt; \
	  .constraints-venv/bin/python -m pip freeze --all --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt
	rm -rf .constraints-venv

clean:
	rm -rf $(VENV) .venv-mcp2 .pytest_cache .mypy_cache .ruff_cache site
