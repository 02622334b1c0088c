# pubpipe: one article source, three editions (HTML, EPUB 3, PDF) that are checked against each
# other. `make` sets everything up and builds every article; `make test` runs the tests; `make help`
# lists the targets and the variables. Every edition is a real file target with real
# prerequisites, so a second `make` does nothing, and starts no Python.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := all
# No .DELETE_ON_ERROR: pubpipe writes an article's editions all together or not at all, so after a
# failed recipe the editions in place are the good earlier ones, and make must not delete them.
# `make -n` must change nothing; read before MAKEFLAGS is extended below (see GNU make's manual).
DRY_RUN := $(findstring n,$(firstword -$(MAKEFLAGS)))
QUESTION := $(findstring q,$(firstword -$(MAKEFLAGS)))
# `make -q` and `make -t` run no recipe either.
NO_RECIPES := $(DRY_RUN)$(QUESTION)$(findstring t,$(firstword -$(MAKEFLAGS)))
MAKEFLAGS += --no-builtin-rules --no-print-directory

# --- The variables a user sets, checked before anything uses them ---------------------------------
# A value reaches pubpipe through the environment ("$$STYLE" in a recipe), never as the text of a
# recipe, a $(shell) or an $(eval): it stays data, whatever characters it holds.
#: ARTICLE=<slug>        only this article, source/<slug>/ (or several: ARTICLE="a b")
ARTICLE ?=
#: PACK=<name>           the course pack packs/<name>.yaml, for make pack (and make check)
PACK ?=
#: STYLE=<name or path>  the CSL style for this build, overriding the articles' csl: (and a pack's style:)
STYLE ?=
#: PAPER=a4|letter       the PDF's paper size, overriding the articles' paper: (and a pack's paper:)
PAPER ?=
#: PDF_VARIANT=pdf/a-3b  a WeasyPrint PDF variant (default pdf/ua-1, tagged for accessibility)
PDF_VARIANT ?= pdf/ua-1
#: PORT=8000             the port of make watch's preview and of make serve
PORT ?= 8000
#: HOST=127.0.0.1        the address make serve listens on (HOST=0.0.0.0 to share on a LAN)
HOST ?= 127.0.0.1
#: V=1 | V=0             say more (each step, the commands) | say only errors
V ?=
# A value from the command line or the environment is taken as its text: make would otherwise run
# `STYLE=$(shell …)` wherever the value is read, even under -n. `$$` is still one `$`, as make writes it.
as_text = $(subst $$$$,$$,$(value $(1)))
$(foreach v,ARTICLE PACK STYLE PAPER PDF_VARIANT PORT HOST V,$(eval override $(v) := $$(call as_text,$(v))))
export STYLE PAPER PDF_VARIANT PORT HOST

# What is left of a value once its digits are taken out (empty for a number).
not_digits = $(subst 0,,$(subst 1,,$(subst 2,,$(subst 3,,$(subst 4,,$(subst 5,,$(subst 6,,$(subst 7,,$(subst 8,,$(subst 9,,$(1)))))))))))
ifneq ($(filter-out a4 letter,$(PAPER))$(word 2,$(PAPER)),)
$(error PAPER='$(PAPER)' is not a paper size: use PAPER=a4 or PAPER=letter, or leave PAPER out for each article's own paper:)
endif
ifneq ($(filter-out 0 1,$(V))$(word 2,$(V)),)
$(error V='$(V)' is not a verbosity: use V=1 to say more, V=0 to say only errors, or leave V out)
endif
ifneq ($(if $(PORT),,empty)$(word 2,$(PORT))$(call not_digits,$(PORT)),)
$(error PORT='$(PORT)' is not a port number: use a number such as PORT=8000, or PORT=0 for any free port)
endif

PYTHON ?= python3
VENV := .venv
PUBPIPE := $(VENV)/bin/pubpipe
INSTALLED := $(VENV)/.installed
BYTECODE := $(VENV)/.bytecode
TOOLS := .tools/.installed
export PUBPIPE_ROOT := $(CURDIR)
Q := $(if $(filter 1,$(V)),,@)
VERBOSITY := $(if $(filter 1,$(V)),-v,$(if $(filter 0,$(V)),-q,))
CODE := $(shell find scripts/pubpipe -name '*.py' -o -name '*.lua' -o -name '*.ere' -o -name '*.js') pyproject.toml
STYLES := $(wildcard styles/*)
# make's own files: the option stamps, the inputs markers and the notes of this run.
STAMPS := build/.make

# --- The articles -------------------------------------------------------------------------------
# The folders of source/ whose names are safe slugs (scripts/pubpipe/load/slug.ere, the one
# definition that pubpipe reads too) and that hold an article.md. scripts/make/articles.sh adds the
# word `.refused`, which no slug can be, when any other folder is there; then `pubpipe articles`
# (target `folders`) says which and why, and the goal fails once the articles are built.
FOUND := $(shell bash scripts/make/articles.sh source)
ALL_ARTICLES := $(filter-out .refused,$(FOUND))
ifneq ($(filter-out $(ALL_ARTICLES),$(ARTICLE)),)
$(error ARTICLE='$(ARTICLE)': no article '$(firstword $(filter-out $(ALL_ARTICLES),$(ARTICLE)))' in source/; the articles are: $(or $(ALL_ARTICLES),none))
endif
ARTICLES := $(or $(ARTICLE),$(ALL_ARTICLES))
FOLDERS := $(if $(ARTICLE),,$(if $(filter .refused,$(FOUND))$(if $(ALL_ARTICLES),,none),folders))

.PHONY: all html epub pdf handout press pack packs catalog serve check test clean distclean help setup watch bench corpus folders

TARGETS_html := $(foreach a,$(ARTICLES),build/$(a)/$(a).html)
TARGETS_epub := $(foreach a,$(ARTICLES),build/$(a)/$(a).epub)
TARGETS_pdf := $(foreach a,$(ARTICLES),build/$(a)/$(a).pdf)
TARGETS_all := $(TARGETS_html) $(TARGETS_epub) $(TARGETS_pdf)
TARGETS_handout := $(foreach a,$(ARTICLES),$(foreach v,a4 letter booklet,build/$(a)/$(a)-$(v).pdf))
TARGETS_press := $(foreach a,$(ARTICLES),build/$(a)/$(a)-press.pdf)

# Course packs: packs/<name>.yaml names articles (of source/, or by path in the project); one volume per pack (packs/build.py).
# A pack's name becomes words of rules and recipes too, so it is held to the articles' safe names.
PACK_NAMES := $(shell bash scripts/make/articles.sh --packs packs)
ifneq ($(filter-out $(PACK_NAMES),$(PACK)),)
$(error PACK='$(PACK)': no pack '$(firstword $(filter-out $(PACK_NAMES),$(PACK)))' in packs/; the packs are: $(or $(PACK_NAMES),none))
endif
ifneq ($(filter pack,$(MAKECMDGOALS)),)
ifeq ($(PACK),)
$(error `make pack` needs PACK=<name> (the packs are: $(or $(PACK_NAMES),none)); `make packs` builds them all)
endif
endif
pack_files = $(foreach v,.pdf .epub .html -a4.pdf -letter.pdf -booklet.pdf,build/packs/$(1)/$(1)$(v))
TARGETS_pack := $(foreach p,$(PACK),$(call pack_files,$(p)))
TARGETS_packs := $(foreach p,$(PACK_NAMES),$(call pack_files,$(p)))
# `make check` checks the articles and the packs; with ARTICLE= (and no PACK=) only that article.
CHECK_PACKS := $(if $(or $(ARTICLE),$(PACK)),$(PACK),$(PACK_NAMES))
TARGETS_check := $(TARGETS_all) $(TARGETS_press) $(foreach p,$(CHECK_PACKS),$(call pack_files,$(p)))
# The OPDS catalog lists every article and pack, so it is made after all of them.
CATALOG := build/opds/catalog.xml
TARGETS_catalog := $(CATALOG)

# --- One broken article must not leave the others stale -------------------------------------------
# Each recipe runs through scripts/make/run.sh, which notes its outcome. For the build goals, a
# failed article's recipe lets make go on (its error is printed, its earlier editions are left as
# they were), and the goal's last step, `summary`, which waits for every other target, says what
# was built and what failed, and fails if anything did: make's exit status is then 2. (make -k
# would go on too, but under -j it leaves no step to run after the last job.) A file asked for by
# name gets make's plain behaviour; under -n, -q and -t nothing runs, and nothing is summed up.
BUILD_GOALS := all html epub pdf handout press pack packs catalog check
GOALS := $(or $(MAKECMDGOALS),$(.DEFAULT_GOAL))
RUN := bash scripts/make/run.sh
ifeq ($(NO_RECIPES),)
SUMMARY := summary
export PUBPIPE_MAKE_NOTES := $(STAMPS)/outcomes.$(shell echo $$PPID)
export PUBPIPE_MAKE_GO_ON := $(if $(filter-out $(BUILD_GOALS),$(GOALS)),,yes)
endif
.PHONY: summary
summary: $(FOLDERS) $(foreach g,$(filter $(BUILD_GOALS),$(GOALS)),$(TARGETS_$(g)))
	@bash scripts/make/summary.sh $(filter check,$(GOALS))

all: $(TOOLS) $(TARGETS_all) $(FOLDERS) $(SUMMARY) ## build the HTML, EPUB and PDF of every article (or of ARTICLE=<slug>)

html: $(TARGETS_html) $(FOLDERS) $(SUMMARY) ## build the web editions: build/<slug>/<slug>.html

epub: $(TARGETS_epub) $(FOLDERS) $(SUMMARY) ## build the e-reader editions: build/<slug>/<slug>.epub

pdf: $(TARGETS_pdf) $(FOLDERS) $(SUMMARY) ## build the print editions: build/<slug>/<slug>.pdf

handout: $(TARGETS_handout) $(FOLDERS) $(SUMMARY) ## classroom handouts: build/<slug>/<slug>-a4.pdf, -letter.pdf and -booklet.pdf (A5 booklet on A4)

press: $(TARGETS_press) $(FOLDERS) $(SUMMARY) ## the print-shop PDF: build/<slug>/<slug>-press.pdf, 3 mm bleed and crop marks

pack: $(TARGETS_pack) $(SUMMARY) ## build the course pack PACK=<name>: build/packs/<name>/<name>.pdf, .epub, .html and the handouts

packs: $(TARGETS_packs) $(SUMMARY) ## build every course pack of packs/

catalog: $(CATALOG) $(SUMMARY) ## the OPDS 1.2 catalog of every article and pack: build/opds/catalog.xml

folders: | $(INSTALLED) $(BYTECODE)
	$(Q)$(RUN) 'the folders of source/' $(PUBPIPE) -q articles

# --- What an edition depends on -----------------------------------------------------------------
# Each make variable that changes an edition's bytes has a file in build/.make/, rewritten (by
# make's own $(file), no shell) only when its value changes: `make PAPER=letter` remakes the PDFs,
# a second `make PAPER=letter` nothing. An edition depends only on the variables it reads: the
# HTML and EPUB on STYLE; the PDF also on PAPER and PDF_VARIANT.
stamp = $(addprefix $(STAMPS)/,$(1))
# A file named build where the editions go: said before anything tries to write there.
ifeq ($(wildcard build)$(wildcard build/.)$(if $(filter-out clean distclean help,$(GOALS)),,only-cleaning),build)
$(error build is a file, not a folder: make writes the editions into build/; move the file away, then run make again)
endif
ifeq ($(DRY_RUN)$(QUESTION),)
$(shell mkdir -p $(STAMPS))
define write_stamp
ifneq ($$(wildcard $(STAMPS)/$(1))_$$(file <$(STAMPS)/$(1)),$(STAMPS)/$(1)_$$($(1)))
$$(file >$(STAMPS)/$(1),$$($(1)))
endif
endef
$(if $(wildcard $(STAMPS)/.),$(foreach v,STYLE PAPER PDF_VARIANT,$(eval $(call write_stamp,$(v)))))
endif
# Under `make -n` a missing stamp only means that the editions are out of date.
$(call stamp,STYLE PAPER PDF_VARIANT): ;
# The listing of each article folder's files (and of every folder a pack names).
files_of = $(STAMPS)/files/$(1).files
$(STAMPS)/files/%.files: ;
PDF_OPTIONS := $(call stamp,PAPER PDF_VARIANT)

# An article's inputs: its files (through their listing, scripts/make/listing.sh), the styles,
# the pipeline's code and STYLE. The marker
# build/.make/<slug>.inputs is touched when one of them changes, so that scripts/make/editions.sh
# can compare each edition with this one file.
inputs = $(STAMPS)/$(1).inputs
editions_of = $(foreach e,html epub pdf,build/$(1)/$(1).$(e))
# The editions this run asks for: `make html pdf` the two; `make`, `make check` or a file, all three.
FORMATS := $(if $(filter-out html epub pdf handout press folders,$(GOALS)),html epub pdf,$(filter html epub pdf,$(GOALS)))
OPTIONS := --style "$$STYLE" --paper "$$PAPER" --pdf-variant "$$PDF_VARIANT"

define article_rules
$(call inputs,$(1)): $(call files_of,source/$(1)) $(STYLES) $(CODE) $(call stamp,STYLE)
	@mkdir -p $$(@D) && touch $$@
$(call editions_of,$(1)) &: $(call inputs,$(1)) $(PDF_OPTIONS) | $(INSTALLED) $(BYTECODE) $(TOOLS)
	$(Q)bash scripts/make/editions.sh $(call inputs,$(1)) '$(PDF_OPTIONS)' '$(FORMATS)' build/$(1)/$(1) $(RUN) $(1) $(PUBPIPE) $(VERBOSITY) build $(1) $$(OPTIONS)
build/$(1)/$(1)-a4.pdf build/$(1)/$(1)-letter.pdf build/$(1)/$(1)-booklet.pdf &: $(call inputs,$(1)) $(call stamp,PDF_VARIANT) | $(INSTALLED) $(BYTECODE) $(TOOLS)
	$(Q)$(RUN) '$(1) (handout)' $(PUBPIPE) $(VERBOSITY) build $(1) --formats handout $$(OPTIONS)
build/$(1)/$(1)-press.pdf: $(call inputs,$(1)) $(PDF_OPTIONS) | $(INSTALLED) $(BYTECODE) $(TOOLS)
	$(Q)$(RUN) '$(1) (press)' $(PUBPIPE) $(VERBOSITY) build $(1) --formats press $$(OPTIONS)
endef
$(foreach a,$(ARTICLES),$(eval $(call article_rules,$(a))))

# Each pack build writes build/packs/<name>/.sources.mk, naming its articles' folders
# (pack_folders_<name>), so that a change to one of them rebuilds the pack and a no-op `make packs`
# starts no Python.
-include $(foreach p,$(PACK_NAMES),build/packs/$(p)/.sources.mk)
ifeq ($(DRY_RUN)$(QUESTION),)
$(shell bash scripts/make/listing.sh $(STAMPS)/files $(sort $(addprefix source/,$(ALL_ARTICLES)) $(foreach p,$(PACK_NAMES),$(pack_folders_$(p)))))
endif
define pack_rules
$(call pack_files,$(1)) &: packs/$(1).yaml $$(foreach f,$$(pack_folders_$(1)),$$(call files_of,$$(f))) $(wildcard packs/*.csl) $(STYLES) $(CODE) $(call stamp,STYLE PAPER PDF_VARIANT) | $(INSTALLED) $(BYTECODE) $(TOOLS)
	$(Q)$(RUN) 'pack $(1)' $(PUBPIPE) $(VERBOSITY) pack $(1) --style "$$$$STYLE" --paper "$$$$PAPER" --pdf-variant "$$$$PDF_VARIANT"
endef
$(foreach p,$(PACK_NAMES),$(eval $(call pack_rules,$(p))))

$(CATALOG): $(TARGETS_epub) $(TARGETS_pdf) $(TARGETS_packs) | $(INSTALLED) $(BYTECODE)
	$(Q)$(RUN) catalog $(PUBPIPE) $(VERBOSITY) catalog --build build

serve: | $(INSTALLED) $(BYTECODE) ## serve build/ read-only at http://127.0.0.1:8000/ (HOST=0.0.0.0 PORT=… to share on a LAN); the catalog is /opds/catalog.xml
	$(PUBPIPE) $(VERBOSITY) serve build --host "$$HOST" --port "$$PORT"

# Nor may make delete an edition when it is interrupted (Ctrl-C) just after pubpipe put it in place.
.PRECIOUS: $(TARGETS_all) $(TARGETS_handout) $(TARGETS_press) $(TARGETS_packs)

# Not through run.sh: check is the last step, and its failure is make's. It checks the press PDFs'
# pre-press too, so it makes them first.
check: all $(TARGETS_press) $(foreach p,$(CHECK_PACKS),$(call pack_files,$(p))) $(TOOLS) ## check that the editions agree with each other and with the original, each pack with its articles, and the press PDFs' pre-press
	$(Q)$(PUBPIPE) $(VERBOSITY) check $(ARTICLES) --style "$$STYLE" --paper "$$PAPER" $(foreach p,$(CHECK_PACKS),--pack $(p))

# A long-running process: rebuilds on every save, serves the HTML with live reload on 127.0.0.1.
# With one article in source/, ARTICLE may be left out.
WATCHED := $(or $(ARTICLE),$(if $(word 2,$(ALL_ARTICLES)),,$(ALL_ARTICLES)))
watch: | $(INSTALLED) $(BYTECODE) ## rebuild ARTICLE=<slug> on every save; preview with live reload at 127.0.0.1, PORT=8000
	$(if $(filter 1,$(words $(WATCHED))),,$(error make watch previews one article: say which with ARTICLE=<slug>, one of: $(or $(ALL_ARTICLES),none yet)))
	$(PUBPIPE) $(VERBOSITY) watch $(WATCHED) --port "$$PORT" $(OPTIONS)

bench: | $(INSTALLED) $(BYTECODE) $(TOOLS) ## time the pipeline against pandoc's own route: a table and build/bench.json
	$(VENV)/bin/python scripts/bench.py

corpus: | $(INSTALLED) $(BYTECODE) $(TOOLS) ## build and check every article of tests/corpus/ into build/corpus/, one line each
	$(VENV)/bin/python scripts/corpus.py

# Two worker processes (pytest-xdist), one per core of the 2-core machine the suite is timed on;
# each takes whole test files (--dist loadfile), so a file's module fixtures are built once.
# tests/progress.py then prints a line as each file ends.
test: $(INSTALLED) $(TOOLS) $(BYTECODE) ## run the test suite in two processes, printing a line as each test file ends (V=1: each test)
	$(VENV)/bin/python -m pytest -n 2 --dist loadfile $(if $(filter 1,$(V)),-v,$(if $(filter 0,$(V)),-q,))

setup: $(INSTALLED) $(TOOLS) ## create .venv and install pandoc, WeasyPrint, EbookLib and the validators

# --- Setting up -----------------------------------------------------------------------------------
# Each step says what it does, how long it took, and before a long one how long it should take;
# what the tools print goes to a log in build/setup/, which a failed step names and shows the end of.
STEP := bash scripts/setup/step.sh
$(INSTALLED): pyproject.toml scripts/setup/system-prerequisites.sh
	$(Q)$(STEP) 1/6 "checking the system packages" "" system-packages bash scripts/setup/system-prerequisites.sh
	$(Q)$(STEP) 2/6 "creating the virtual environment $(VENV)" "" venv bash -c '[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)'
	$(Q)$(STEP) 3/6 "installing pandoc, WeasyPrint, EbookLib and the rest (pip)" "about 20 s" pip \
		bash -c '$(VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar off --upgrade pip && $(VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar off --editable ".[test]"'
	$(Q)$(STEP) 4/6 "making the print fonts (fixed weights of Source Serif 4)" "" fonts $(PUBPIPE) fonts
	@touch $@

# pubpipe's own code compiled to bytecode, as pip compiles the packages it installs: every pubpipe
# process (a build, its layout worker) then starts from .pyc files, also where PYTHONDONTWRITEBYTECODE
# keeps Python from writing them as it imports (a tenth of a second of CPU for each process).
$(BYTECODE): $(filter %.py,$(CODE)) | $(INSTALLED)
	$(Q)$(VENV)/bin/python -m compileall -q scripts/pubpipe && touch $@

# The Node tools: MathJax, which draws formulas (so every build needs it), and the validators (Nu
# HTML Checker, Ace, axe-core, Chromium) that check and test run; and the quicker starts of the
# two Java validators (scripts/pubpipe/runtime/jvm_start.py).
$(TOOLS): scripts/setup/tools.sh scripts/setup/package.json scripts/pubpipe/runtime/jvm_start.py scripts/pubpipe/check/EpubcheckBatch.java | $(INSTALLED)
	$(Q)$(STEP) 5/6 "installing MathJax and the validators into .tools (npm, Chromium)" "about 15 s" validators bash scripts/setup/tools.sh
	$(Q)$(STEP) 6/6 "preparing the EPUBCheck launcher and quicker starts of the Java validators" "about 10 s" jvm $(PUBPIPE) validators
	@touch $@

clean: ## remove the built editions (build/)
	rm -rf build

distclean: clean ## also remove what make set up: .venv and .tools
	rm -rf $(VENV) .tools

help: ## list the targets and the variables
	@echo "usage: make [target] [VARIABLE=value ...]"
	@echo
	@echo "targets:"
	@grep -hE '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([^:]*):.*## (.*)/  \1\t\2/' | expand -t 12
	@echo
	@echo "variables, for any target:"
	@grep -hE '^#: ' $(MAKEFILE_LIST) | sed -E 's/^#: /  /'
