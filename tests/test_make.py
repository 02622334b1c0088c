"""`make` as the user's interface, run for real (tests/make_harness.py): folder names and make
variables that are data, never code; keeping going past a broken article, with a summary; what
make says when there is nothing to build; and the make and command-line details of issue 14."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from make_harness import ROOT, link_project, run_make
from untrusted import EDITIONS, write_victim

BAD_YAML = "---\ntitle: Fine\nauthor: Ann\nlang: en\n  bad: indentation: here\n---\n\nBody.\n"


def editions(project, slug: str) -> dict[str, bytes]:
    folder = project / "build" / slug
    return {name: (folder / f"{slug}.{name}").read_bytes() for name in EDITIONS if (folder / f"{slug}.{name}").exists()}


@pytest.fixture()
def project(tmp_path):
    """A project with one small good article, `good`, not yet built."""
    root = link_project(tmp_path / "project")
    write_victim(root / "source" / "good")
    return root


# --- folder names: checked when the Makefile is read (issue 11) ---------------------------------

HOSTILE_NAMES = ["a`{touch,PWNED}`b", "semi;colon", "dollar$(touch PWNED)", "hash#tag", "co:lon", "it's", "two words"]


def test_hostile_folder_names_run_nothing_and_the_good_article_still_builds(project):
    for name in HOSTILE_NAMES:
        write_victim(project / "source" / name)
    result = run_make(project)
    assert not list(project.rglob("PWNED")), "a folder name ran a command"
    assert result.returncode == 2, result.stderr
    assert set(editions(project, "good")) == set(EDITIONS), result.stderr
    for name in HOSTILE_NAMES:
        assert f"source/{name}: this folder's name cannot be an article's name" in result.stderr
        assert not (project / "build" / name).exists()
    assert "mv -- 'source/two words' source/two-words" in result.stderr
    assert "make: 1 failed: the folders of source/ (exit 3)" in result.stderr
    assert "built all the same: good" in result.stderr


def test_pubpipe_refuses_the_same_names_and_builds_the_others(project, capsys):
    from pubpipe.cli import main

    write_victim(project / "source" / "two words")
    status = main(["-q", "build", "--source", str(project / "source"), "--build", str(project / "build")])
    err = capsys.readouterr().err
    assert status == 1
    assert "two words: this folder's name cannot be an article's name" in err and "two-words" in err
    assert set(editions(project, "good")) == set(EDITIONS)
    assert main(["build", "two words", "--source", str(project / "source"), "--build", str(project / "build")]) == 3


@pytest.mark.parametrize("name, suggestion", [
    ("a`{touch,PWNED}`b", "a-touch-PWNED-b"), ("two words", "two-words"), (".hidden", "hidden"),
    ("-dash", "dash"), ("café au lait", "cafe-au-lait"), ("$(x)", "x"), ("#", "article"),
])
def test_an_unsafe_name_gets_a_safe_suggestion(name, suggestion):
    from pubpipe.load.folders import is_safe_slug, suggested_slug

    assert not is_safe_slug(name)
    assert suggested_slug(name) == suggestion and is_safe_slug(suggestion)


def test_make_and_pubpipe_read_one_definition_of_a_safe_name():
    from pubpipe.load import folders

    pattern = (ROOT / "scripts" / "pubpipe" / "load" / "slug.ere").read_text().strip()
    assert folders.SAFE_SLUG.pattern == pattern
    assert "slug.ere" in (ROOT / "scripts" / "make" / "articles.sh").read_text()


def test_a_folder_without_article_md_and_an_empty_source_are_named(project, capsys):
    from pubpipe.cli import main

    (project / "source" / "draft").mkdir()
    result = run_make(project)
    assert result.returncode == 2
    assert "source/draft: no article.md (nor any other Markdown file) in this article folder" in result.stderr
    assert "add source/draft/article.md" in result.stderr
    assert set(editions(project, "good")) == set(EDITIONS)
    assert main(["-q", "build", "--source", str(project / "source"), "--build", str(project / "build")]) == 1
    assert "draft: no article.md" in capsys.readouterr().err

    shutil.rmtree(project / "source")
    (project / "source").mkdir()
    result = run_make(project)
    assert result.returncode == 2 and "no articles found in source" in result.stderr, result.stderr
    assert main(["build", "--source", str(project / "source"), "--build", str(project / "build")]) == 2
    assert "add a folder" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["packs", "opds", "setup", "corpus", "bench.json"])
def test_an_article_may_not_take_the_name_of_builds_own_folders(project, name):
    write_victim(project / "source" / name)
    result = run_make(project, "html")
    assert result.returncode == 2, result.stderr
    assert f"source/{name}: an article cannot be called '{name}'" in result.stderr
    assert not (project / "build" / name / f"{name}.html").exists()
    assert set(editions(project, "good")) == {"html"}


def test_file_names_that_are_make_syntax_break_no_rule_and_a_change_is_seen(project):
    """make reads `:`, `%`, `$`, `#` and spaces in a rule as its own syntax: the article's files are
    watched through their listing (scripts/make/listing.sh), never named in a rule."""
    folder = project / "source" / "good"
    for name in ("a:b.txt", "my notes.txt", "50%.txt", "$(touch PWNED).txt", "#hash.txt"):
        (folder / name).write_text("notes\n", encoding="utf-8")
    (project / "packs").mkdir()
    (project / "packs" / "duo.yaml").write_text("title: Duo\neditor: Ed Itor\narticles: [good]\n", encoding="utf-8")
    first = run_make(project, "html")
    assert first.returncode == 0, first.stderr
    assert run_make(project, "pack", "PACK=duo").returncode == 0
    again = run_make(project, "html", "pack", "PACK=duo")
    assert "up to date" in again.stdout + again.stderr  # nothing to do
    (folder / "my notes.txt").write_text("changed\n", encoding="utf-8")
    changed = run_make(project, "html", "pack", "PACK=duo")
    assert changed.returncode == 0 and "up to date" not in changed.stdout + changed.stderr
    assert "built good, pack duo" in changed.stdout + changed.stderr  # the article and its pack
    assert not list(project.rglob("PWNED"))


def test_an_article_keeps_the_file_name_its_tool_gave_it(project):
    """A JOSS paper.md beside its README, a Quarto document of any name: built as they come. Two
    Markdown files and no article.md: which is the article is asked, and the others still build."""
    (project / "source" / "good" / "article.md").rename(project / "source" / "good" / "paper.md")
    (project / "source" / "good" / "README.md").write_text("# How to build this paper\n", encoding="utf-8")
    write_victim(project / "source" / "named")  # a name that only starts like a README's is an article's
    (project / "source" / "named" / "article.md").rename(project / "source" / "named" / "changes-in-policy.md")
    write_victim(project / "source" / "quarto")
    (project / "source" / "quarto" / "article.md").rename(project / "source" / "quarto" / "my-study.qmd")
    write_victim(project / "source" / "two")
    shutil.copy(project / "source" / "two" / "article.md", project / "source" / "two" / "notes.md")
    (project / "source" / "two" / "article.md").rename(project / "source" / "two" / "draft.md")
    result = run_make(project)
    assert result.returncode == 2, result.stderr
    assert set(editions(project, "good")) == set(EDITIONS), result.stderr
    assert set(editions(project, "quarto")) == set(EDITIONS), result.stderr
    assert set(editions(project, "named")) == set(EDITIONS), result.stderr
    assert not (project / "build" / "two").exists()
    assert "source/two: this folder holds 2 Markdown files (draft.md, notes.md) and no article.md" in result.stderr
    assert "rename the article's file to article.md" in result.stderr


# --- make variables: checked, and never code -----------------------------------------------------

@pytest.mark.parametrize("assignment, words", [
    ("PAPER=$$(touch PWNED)", ("PAPER='$(touch PWNED)' is not a paper size", "PAPER=a4 or PAPER=letter")),
    ("PAPER=legal", ("PAPER='legal' is not a paper size",)),
    ("V=2", ("V='2' is not a verbosity", "V=1")),
    ("PORT=80;touch PWNED", ("is not a port number",)),
    ("ARTICLE=*", ("ARTICLE='*': no article '*'", "the articles are: good")),
    ("ARTICLE=good;touch PWNED", ("no article 'good;touch'",)),
])
def test_a_bad_variable_stops_make_with_the_allowed_values(project, assignment, words):
    result = run_make(project, assignment)
    assert result.returncode == 2
    for word in words:
        assert word in result.stderr, result.stderr
    assert not list(project.rglob("PWNED")) and not (project / "build" / "good").exists()


def test_variables_are_not_run_when_the_makefile_is_read(project):
    result = run_make(project, "help", "STYLE=$$(touch PWNED)", "PDF_VARIANT='; touch PWNED; '")
    assert result.returncode == 0, result.stderr
    assert not list(project.rglob("PWNED"))


@pytest.mark.parametrize("variable", ["ARTICLE", "PACK", "STYLE", "PAPER", "PDF_VARIANT", "PORT", "HOST", "V"])
def test_make_functions_in_a_value_are_text_even_under_dry_run(project, variable):
    """A single `$` is make's own syntax: `X=$(shell …)` would run wherever make reads X."""
    for goal in ("-n", "help"):
        run_make(project, goal, f"{variable}=$(shell touch PWNED-{variable})")
    result = run_make(project, "html", f"{variable}=$(shell touch PWNED-{variable})", timeout=300)
    assert result.returncode != 0 or variable in ("HOST", "PORT", "V"), result.stderr
    assert not list(project.rglob("PWNED*")), result.stderr


def test_an_empty_host_is_refused_rather_than_every_interface():
    from pubpipe.cli import main

    assert main(["serve", "build", "--host", ""]) == 2


@pytest.mark.parametrize("assignment, status, words", [
    ("STYLE=$$(touch PWNED)", 4, ("unknown CSL style '$(touch PWNED)'",)),
    ("STYLE=$(shell touch PWNED)", 4, ("unknown CSL style '$(shell touch PWNED)'",)),
    ("PDF_VARIANT=pdf/ua-1'; touch PWNED; '", 2, ("unknown PDF variant", "pdf/a-3b")),
])
def test_variable_values_reach_pubpipe_as_data(project, assignment, status, words):
    result = run_make(project, "pdf", assignment)
    assert result.returncode == 2
    assert f"make: 1 failed: good (exit {status})" in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr
    assert not list(project.rglob("PWNED"))


# --- keep going past a broken article ----------------------------------------------------------

def test_one_broken_article_leaves_the_others_built_then_fails_with_a_summary(project):
    write_victim(project / "source" / "broken")
    assert run_make(project, "html").returncode == 0
    before = editions(project, "broken")
    (project / "source" / "broken" / "article.md").write_text(BAD_YAML, encoding="utf-8")
    write_victim(project / "source" / "later")  # sorts after the broken one
    result = run_make(project, "-j2", "html")
    assert result.returncode == 2
    assert "source/broken/article.md:5" in result.stderr
    assert editions(project, "broken") == before
    assert (project / "build" / "later" / "later.html").is_file()
    summary = result.stderr.strip().splitlines()
    assert summary[-4:-1] == [
        "make: 1 failed: broken (exit 3)",
        "  each one's error is printed above; a failed article's earlier editions in build/ are left as they were",
        "  built all the same: later",
    ], result.stderr
    assert summary[-1].startswith("make: *** [Makefile:")


def test_a_file_asked_for_by_name_fails_at_once(project):
    (project / "source" / "good" / "article.md").write_text(BAD_YAML, encoding="utf-8")
    result = run_make(project, "build/good/good.html")
    assert result.returncode == 2
    assert "make: *** [Makefile:" in result.stderr and "Error 3" in result.stderr


# --- the make and command-line details of issue 14 ------------------------------------------------

def test_dry_run_in_a_fresh_clone_shows_the_steps_and_changes_nothing(tmp_path):
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in ("Makefile", "pyproject.toml", "scripts", "styles"):
        (clone / name).symlink_to(ROOT / name)
    write_victim(clone / "source" / "good")
    for flags in (["-n"], ["-q"], ["-t", "-n"]):
        result = subprocess.run(["make", "-C", str(clone), *flags], capture_output=True, text=True, timeout=120,
                                env={k: v for k, v in os.environ.items() if not k.startswith("MAKE")})
        assert "No rule to make target" not in result.stderr
        assert sorted(path.name for path in clone.iterdir()) == ["Makefile", "pyproject.toml", "scripts", "source", "styles"]
    dry = subprocess.run(["make", "-C", str(clone), "-n"], capture_output=True, text=True, timeout=120,
                         env={k: v for k, v in os.environ.items() if not k.startswith("MAKE")})
    assert dry.returncode == 0, dry.stderr
    assert "step.sh 3/6" in dry.stdout and "pubpipe" in dry.stdout and "build good" in dry.stdout


def test_paper_remakes_only_the_pdf_and_a_second_run_nothing(project):
    assert run_make(project).returncode == 0
    before = editions(project, "good")
    result = run_make(project, "PAPER=letter")
    assert result.returncode == 0, result.stderr
    made = [line.split()[0] for line in result.stdout.splitlines() if "build/good/good." in line]
    assert made == ["pdf"], result.stdout
    after = editions(project, "good")
    assert [name for name in EDITIONS if after[name] != before[name]] == ["pdf"]
    again = run_make(project, "PAPER=letter")
    assert "every edition asked for is up to date" in again.stdout and "build/good/" not in again.stdout.replace("build/<slug>/", "")
    assert editions(project, "good") == after


def test_watch_without_article_names_the_articles(project):
    write_victim(project / "source" / "other")
    result = run_make(project, "watch", timeout=120)
    assert result.returncode == 2
    assert "make watch previews one article: say which with ARTICLE=<slug>, one of: good other" in result.stderr


def test_help_lists_the_targets_and_the_variables(project):
    result = run_make(project, "help")
    assert result.returncode == 0
    for word in ("distclean", "handout", "check", "ARTICLE=<slug>", "STYLE=", "PAPER=a4|letter", "PDF_VARIANT=",
                 "PORT=8000", "V=1"):
        assert word in result.stdout, word


def test_make_test_prints_progress_by_file(project):
    result = run_make(project, "-n", "test")
    pytest_line = next(line for line in result.stdout.splitlines() if "-m pytest" in line)
    assert " -q" not in pytest_line


def test_styles_into_a_closed_pipe_is_quiet():
    process = subprocess.Popen([sys.executable, "-m", "pubpipe", "styles"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()  # as `| head` does
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 128 + 13
    assert "internal error" not in err and "BrokenPipeError" not in err, err


def test_help_describes_the_tool_in_whole_sentences():
    from pubpipe.cli import parser

    description = parser().description
    assert description.endswith(".") and "argument parsing" not in description


def test_the_check_message_counts_in_words():
    from pubpipe.cli import disagreement

    assert disagreement([("a", 1, "build/a/check.json")]) == "the editions do not agree: a: 1 finding, see build/a/check.json"
    assert "b: 2 findings" in disagreement([("b", 2, "r")])


def test_a_setup_step_says_what_it_does_and_names_its_log_when_it_fails(tmp_path):
    step = str(ROOT / "scripts" / "setup" / "step.sh")
    tool = "echo hello from the tool; echo 'note: an optional package is missing'"
    done = subprocess.run(["bash", step, "1/2", "saying hello", "about 1 s", "hello", "bash", "-c", tool],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("setup 1/2: saying hello (about 1 s") and lines[0].endswith("; output in build/setup/hello.log)")
    assert lines[1] == "note: an optional package is missing"
    assert lines[2].startswith("setup 1/2: done in ") and lines[2].endswith(" s") and len(lines) == 3
    assert (tmp_path / "build" / "setup" / "hello.log").read_text() == "hello from the tool\nnote: an optional package is missing\n"
    failed = subprocess.run(["bash", step, "2/2", "breaking", "", "broken", "bash", "-c", "echo working; echo it broke >&2; exit 7"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert failed.returncode == 7
    assert failed.stdout == "setup 2/2: breaking\n"
    assert "error: setup 2/2 failed after" in failed.stderr and "breaking (exit 7)" in failed.stderr
    assert "  | working\n  | it broke\n" in failed.stderr and "the whole output is in build/setup/broken.log" in failed.stderr
