# pubpipe: one article source, three editions (HTML, EPUB 3, PDF) that are checked against each
# other. `make` sets everything up and builds every article; `make test` runs the tests.
# Every edition is a real file target with real prerequisites, so a second `make` does nothing.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := all
# No .DELETE_ON_ERROR: with a grouped target it deletes the good files a failed build left
# untouched. pubpipe writes every file atomically, so make has nothing half-written to delete.
# `make -n` must change nothing; read before MAKEFLAGS is extended below (see GNU make's manual).
DRY_RUN := $(findstring n,$(firstword -$(MAKEFLAGS)))
MAKEFLAGS += --no-builtin-rules --no-print-directory

ARTICLE ?=
PACK ?=
STYLE ?=
PAPER ?=
PDF_VARIANT ?= pdf/ua-1
PORT ?= 8000
HOST ?= 127.0.0.1
V ?=

PYTHON ?= python3
VENV := .venv
PUBPIPE := $(VENV)/bin/pubpipe
INSTALLED := $(VENV)/.installed
TOOLS := .tools/.installed
export PUBPIPE_ROOT := $(CURDIR)

ARTICLES := $(if $(ARTICLE),$(ARTICLE),$(patsubst source/%/article.md,%,$(wildcard source/*/article.md)))
ifneq ($(ARTICLE),)
ifeq ($(wildcard source/$(ARTICLE)/article.md),)
$(error no article '$(ARTICLE)': source/$(ARTICLE)/article.md does not exist)
endif
endif

Q := $(if $(filter 1,$(V)),,@)
VERBOSITY := $(if $(filter 1,$(V)),-v,$(if $(filter 0,$(V)),-q,))
CODE := $(shell find scripts/pubpipe -name '*.py' -o -name '*.lua') pyproject.toml
STYLES := $(wildcard styles/*)

# The make variables that change an edition's bytes live in a file that is rewritten only when
# their values change, so `make STYLE=apa` rebuilds and a second `make STYLE=apa` does not.
OPTIONS_STAMP := build/.options
OPTIONS := style=$(STYLE) paper=$(PAPER) pdf_variant=$(PDF_VARIANT)
ifeq (,$(DRY_RUN))
$(shell mkdir -p build && { [ -f $(OPTIONS_STAMP) ] && [ "$$(cat $(OPTIONS_STAMP))" = "$(OPTIONS)" ] || echo "$(OPTIONS)" > $(OPTIONS_STAMP); })
endif

edition = $(foreach a,$(ARTICLES),build/$(a)/$(a).$(1))

.PHONY: all html epub pdf handout press pack packs catalog serve check test clean help setup watch bench corpus

all: $(TOOLS) $(call edition,html) $(call edition,epub) $(call edition,pdf) ## build the HTML, EPUB and PDF of every article (or of ARTICLE=<slug>)

html: FORMATS := html
html: $(call edition,html) ## build the web editions: build/<slug>/<slug>.html

epub: FORMATS := epub
epub: $(call edition,epub) ## build the e-reader editions: build/<slug>/<slug>.epub

pdf: FORMATS := pdf
pdf: $(call edition,pdf) ## build the print editions: build/<slug>/<slug>.pdf (PAPER=a4|letter, PDF_VARIANT=pdf/a-3b)

FORMATS ?= html,epub,pdf

# One process builds an article's editions: pandoc resolves the article once and every edition is
# rendered from that. `make html` passes FORMATS=html, so the other editions are left alone.
define article_rules
build/$(1)/$(1).html build/$(1)/$(1).epub build/$(1)/$(1).pdf &: $$(wildcard source/$(1)/*) $(STYLES) $(CODE) $(OPTIONS_STAMP) | $(INSTALLED)
	$(Q)$(PUBPIPE) $(VERBOSITY) build $(1) --formats $$(FORMATS) $(if $(STYLE),--style '$(STYLE)') $(if $(PAPER),--paper $(PAPER)) --pdf-variant '$(PDF_VARIANT)'
endef
$(foreach a,$(ARTICLES),$(eval $(call article_rules,$(a))))

handout: $(foreach a,$(ARTICLES),$(foreach v,a4 letter booklet,build/$(a)/$(a)-$(v).pdf)) ## classroom handouts: build/<slug>/<slug>-a4.pdf, -letter.pdf and -booklet.pdf (A5 booklet on A4)

press: $(foreach a,$(ARTICLES),build/$(a)/$(a)-press.pdf) ## the print-shop PDF: build/<slug>/<slug>-press.pdf, 3 mm bleed and crop marks (PAPER=a4|letter)

# The print variants: real file targets with the editions' prerequisites, one pubpipe run each.
define print_rules
build/$(1)/$(1)-a4.pdf build/$(1)/$(1)-letter.pdf build/$(1)/$(1)-booklet.pdf &: $$(wildcard source/$(1)/*) $(STYLES) $(CODE) $(OPTIONS_STAMP) | $(INSTALLED)
	$(Q)$(PUBPIPE) $(VERBOSITY) build $(1) --formats handout $(if $(STYLE),--style '$(STYLE)') --pdf-variant '$(PDF_VARIANT)'
build/$(1)/$(1)-press.pdf: $$(wildcard source/$(1)/*) $(STYLES) $(CODE) $(OPTIONS_STAMP) | $(INSTALLED)
	$(Q)$(PUBPIPE) $(VERBOSITY) build $(1) --formats press $(if $(STYLE),--style '$(STYLE)') $(if $(PAPER),--paper $(PAPER)) --pdf-variant '$(PDF_VARIANT)'
endef
$(foreach a,$(ARTICLES),$(eval $(call print_rules,$(a))))

# Course packs: packs/<name>.yaml names articles of source/; one volume per pack (packs/build.py).
# Each pack build writes build/packs/<name>/.sources.mk, naming its articles' folders, so that a
# change to one of them rebuilds the pack and a no-op `make packs` starts no Python.
PACK_NAMES := $(patsubst packs/%.yaml,%,$(wildcard packs/*.yaml))
ifneq ($(PACK),)
ifeq ($(wildcard packs/$(PACK).yaml),)
$(error no pack '$(PACK)': packs/$(PACK).yaml does not exist (the packs are: $(or $(PACK_NAMES),none)))
endif
endif
ifneq ($(filter pack,$(MAKECMDGOALS)),)
ifeq ($(PACK),)
$(error `make pack` needs PACK=<name> (the packs are: $(or $(PACK_NAMES),none)); `make packs` builds them all)
endif
endif
pack_files = $(foreach v,.pdf .epub .html -a4.pdf -letter.pdf -booklet.pdf,build/packs/$(1)/$(1)$(v))
-include $(foreach p,$(PACK_NAMES),build/packs/$(p)/.sources.mk)
define pack_rules
$(call pack_files,$(1)) &: packs/$(1).yaml $$(pack_sources_$(1)) $(wildcard packs/*.csl) $(STYLES) $(CODE) $(OPTIONS_STAMP) | $(INSTALLED)
	$(JOBSERVER)$(Q)$(PUBPIPE) $(VERBOSITY) pack $(1) --pdf-variant '$(PDF_VARIANT)'
endef
$(foreach p,$(PACK_NAMES),$(eval $(call pack_rules,$(p))))

pack: $(call pack_files,$(PACK)) ## build the course pack PACK=<name>: build/packs/<name>/<name>.pdf, .epub, .html and the handouts
packs: $(foreach p,$(PACK_NAMES),$(call pack_files,$(p))) ## build every course pack of packs/

# The OPDS catalog lists every article and pack, so it is made after all of them.
CATALOG := build/opds/catalog.xml
$(CATALOG): $(call edition,epub) $(call edition,pdf) $(foreach p,$(PACK_NAMES),$(call pack_files,$(p))) | $(INSTALLED)
	$(Q)$(PUBPIPE) $(VERBOSITY) catalog --build build
catalog: $(CATALOG) ## the OPDS 1.2 catalog of every article and pack: build/opds/catalog.xml

serve: | $(INSTALLED) ## serve build/ read-only at http://127.0.0.1:8000/ (HOST=0.0.0.0 PORT=… to share on a LAN); the catalog is /opds/catalog.xml
	$(PUBPIPE) $(VERBOSITY) serve build --host $(HOST) --port $(PORT)

# `make check` checks the articles and the packs; with ARTICLE= (and no PACK=) only that article.
CHECK_PACKS := $(if $(or $(ARTICLE),$(PACK)),$(PACK),$(PACK_NAMES))
check: all $(foreach p,$(CHECK_PACKS),$(call pack_files,$(p))) $(TOOLS) ## check that the editions agree with each other and with the original, and each pack with its articles
	$(Q)$(PUBPIPE) $(VERBOSITY) check $(ARTICLES) $(if $(STYLE),--style '$(STYLE)') $(if $(PAPER),--paper $(PAPER)) $(foreach p,$(CHECK_PACKS),--pack $(p))

# A long-running process: rebuilds on every save, serves the HTML with live reload on 127.0.0.1.
watch: | $(INSTALLED) ## rebuild ARTICLE=<slug> on every save; preview with live reload at 127.0.0.1, PORT=8000
	$(PUBPIPE) $(VERBOSITY) watch $(firstword $(ARTICLES)) --port $(PORT) $(if $(STYLE),--style '$(STYLE)') $(if $(PAPER),--paper $(PAPER)) --pdf-variant '$(PDF_VARIANT)'

bench: | $(INSTALLED) $(TOOLS) ## time the pipeline against pandoc's own route: a table and build/bench.json
	$(VENV)/bin/python scripts/bench.py

corpus: | $(INSTALLED) $(TOOLS) ## build and check every article of tests/corpus/ into build/corpus/, one line each
	$(VENV)/bin/python scripts/corpus.py

test: $(INSTALLED) $(TOOLS) ## run the test suite
	$(VENV)/bin/python -m pytest $(if $(filter 1,$(V)),-v,-q)

setup: $(INSTALLED) $(TOOLS) ## create .venv and install pandoc, WeasyPrint, EbookLib and the validators

# The validators (Nu HTML Checker, Ace, axe-core, Chromium) that check and test run, and the
# EPUBCheck launcher and the class archives of the two Java validators (scripts/pubpipe/runtime/jvm_start.py).
$(TOOLS): scripts/setup/tools.sh scripts/setup/package.json scripts/pubpipe/runtime/jvm_start.py scripts/pubpipe/check/EpubcheckBatch.java | $(INSTALLED)
	bash scripts/setup/tools.sh
	$(VENV)/bin/pubpipe validators
	touch $@

$(INSTALLED): pyproject.toml scripts/setup/system-prerequisites.sh
	bash scripts/setup/system-prerequisites.sh
	[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --editable '.[test]'
	$(VENV)/bin/pubpipe fonts
	touch $@

clean: ## remove the built editions (build/); `make distclean` also removes .venv
	rm -rf build

distclean: clean
	rm -rf $(VENV) .tools

help: ## list the targets
	@grep -hE '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([^:]*):.*## (.*)/  \1\t\2/' | expand -t 12
