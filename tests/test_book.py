"""The book pipeline: parameter checks, results recording, atomic execution, toc and data.

Fast tests use a stand-in for papermill; the ones marked slow start a real kernel (a few
seconds each) to check the same guarantees end to end, including a SIGTERM midway.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from pairlib import build, kernels, page, paths, record, results, sync, toc
from pairlib.page import typeset
from pairlib.published import (
    PUBLISHED_CSV,
    REPO_ROOT,
    MissingPublishedRow,
    load_published,
    published_row,
)
from pairlib.results import RESULTS_ENV

SHARED_CSV_SHA256 = "4807fbb76847cf6790b2d659069373f6c428303cd33609b8e68c4facde682784"
"""sha256 of the team's shared transcription (shared/published_results.csv), so that the check
needs nothing outside the repository."""

# --------------------------------------------------------------------------- check_parameters

GOOD = {"n_pairs": 1000, "seed": 0, "rounds": 10, "epochs": 25, "device": "cpu"}

BAD = [
    ("n_pairs", 0),
    ("n_pairs", 5001),  # 5001 pairs need 10,002 of the 10,000 test images
    ("n_pairs", -3),
    ("n_pairs", "1000"),
    ("n_pairs", 1000.0),
    ("n_pairs", True),
    ("seed", -1),
    ("seed", 0.5),
    ("rounds", 0),
    ("rounds", None),
    ("epochs", 0),
    ("epochs", "25"),
    ("device", "gpu"),
    ("device", 0),
    ("lr", 0.0),
    ("lr", float("nan")),
    ("batch_size", 0),
]


@pytest.mark.parametrize(("name", "value"), BAD)
def test_check_parameters_rejects_each_bad_value_in_one_line(name, value):
    with pytest.raises(ValueError) as info:
        page.check_parameters(**{**GOOD, name: value})
    message = str(info.value)
    assert "\n" not in message
    assert f"{name}=" in message  # names the parameter...
    assert repr(value) in message  # ...the value received...
    assert "expected" in message  # ...and what is allowed


def test_check_parameters_limit_is_half_the_test_set():
    assert page.check_parameters(n_pairs=5000)["n_pairs"] == 5000
    with pytest.raises(ValueError, match=r"n_pairs=5001 .*1\.\.5000"):
        page.check_parameters(n_pairs=5001)


def test_check_parameters_rejects_unknown_names():
    with pytest.raises(ValueError, match=r"parameter n_pair=1000 .*unknown name.*n_pairs"):
        page.check_parameters(n_pair=1000)


def test_check_parameters_cuda_without_gpu(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match=r"device='cuda'.*no CUDA GPU"):
        page.check_parameters(device="cuda")
    assert page.check_parameters(device="auto") == {"device": "cpu"}


def test_check_parameters_normalises_and_accepts_extra_specs():
    import numpy as np

    out = page.check_parameters(
        {"alpha": page.number(0, 1), "mode": page.choice("a", "b")},
        n_pairs=np.int64(10),
        lr=1,
        alpha=1,
        mode="b",
    )
    assert out == {"n_pairs": 10, "lr": 1.0, "alpha": 1.0, "mode": "b"}
    assert type(out["n_pairs"]) is int and type(out["lr"]) is float
    with pytest.raises(ValueError, match=r"parameter alpha=2 .*in 0\.\.1"):
        page.check_parameters({"alpha": page.number(0, 1)}, alpha=2)


# --------------------------------------------------------------------------- save_results


def test_save_results_writes_nothing_without_the_build(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(results.RESULTS_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    before = {p: p.stat().st_mtime_ns for p in results.RESULTS_DIR.glob("*")}
    assert page.save_results(pd.DataFrame({"a": [1]}), "pairs") is None
    assert {p: p.stat().st_mtime_ns for p in results.RESULTS_DIR.glob("*")} == before
    assert list(tmp_path.iterdir()) == []
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing on the page: the notice is the console's (stderr here)
    assert captured.err.count("\n") == 1 and "results/pairs.csv left unchanged" in captured.err


def test_save_results_writes_atomically_to_staging(tmp_path, monkeypatch):
    monkeypatch.setenv(results.RESULTS_ENV, str(tmp_path))
    df = pd.DataFrame({"model_id": ["a", "b"], "test_error_mean_pct": [10.5, 20.25]})
    assert page.save_results(df, "weight_sharing") is None  # a returned path would print on the page
    path = tmp_path / "weight_sharing.csv"
    pd.testing.assert_frame_equal(pd.read_csv(path), df)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weight_sharing.csv"]
    assert path.stat().st_mode & 0o777 == 0o644  # readable by all, like every file of the repository


def test_save_results_failure_keeps_previous_file(tmp_path, monkeypatch):
    monkeypatch.setenv(results.RESULTS_ENV, str(tmp_path))
    (tmp_path / "pairs.csv").write_text("previous\n")

    class Exploding(pd.DataFrame):
        def to_csv(self, handle, **kwargs):
            handle.write("half a tab")
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        page.save_results(Exploding({"a": [1]}), "pairs")
    assert (tmp_path / "pairs.csv").read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.csv"]


@pytest.mark.parametrize("chapter", ["published", "../x", "Pairs", ""])
def test_save_results_rejects_bad_chapter_names(chapter, tmp_path, monkeypatch):
    monkeypatch.setenv(results.RESULTS_ENV, str(tmp_path))
    with pytest.raises(ValueError, match="chapter="):
        page.save_results(pd.DataFrame({"a": [1]}), chapter)


# --------------------------------------------------------------------------- tables


def test_show_table_emits_a_numbered_myst_table():
    df = pd.DataFrame({"model": ["a|b", "c"], "error": [1.234, float("nan")]})
    text = page.table_markdown(df, "tab-x", "A caption.")
    assert text.startswith("~~~{table} A caption.\n:name: tab-x\n")
    assert r"a\|b" in text and "1.23" in text and "nan" not in text
    assert ":class: longtable" not in text
    long = page.table_markdown(pd.DataFrame({"a": range(40)}), "tab-y", "Long.")
    assert ":class: longtable" in long and ":widths:" in long
    with pytest.raises(ValueError, match="label"):
        page.table_markdown(df, "bad name", "x")


def test_an_empty_table_cell_prints_a_dash_and_keeps_its_column_numeric():
    df = pd.DataFrame({"model": ["a", "b"], "error (%)": [2.5, float("nan")], "note": ["", "x"]})
    text = page.table_markdown(df, "tab-x", "Caption.")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[1].split("|")[2].strip() == "2.50" and rows[2].split("|")[2].strip() == "—"
    assert rows[1].split("|")[3].strip() == "—"
    rule = next(line for line in text.splitlines() if line.startswith("|:"))
    assert rule.split("|")[2].endswith(":"), "a column of numbers and dashes stays right-aligned"


def test_table_cells_keep_intervals_whole_with_real_minus_signs():
    df = pd.DataFrame(
        {
            "model": ["000/model-B", "000/model-B-no-ws"],
            "b − a [95% CI]": ["-2.4 [-2.7, -2.1]", "+0.3 [-0.1, 0.8]"],
            "error (%)": ["16.4 ± 4.6", "5.0 ± 1.0"],
            "range": ["1-9", "2-3"],
        }
    )
    text = page.table_markdown(df, "tab-x", "Caption.", long=True)
    nbsp = page.NBSP
    assert f"−2.4{nbsp}[−2.7,{nbsp}−2.1]" in text and f"16.4{nbsp}±{nbsp}4.6" in text
    # hyphens in names and ranges stay; a name breaks after its report, never before "B"
    assert f"000/{page.ZWSP}model-B" in text and "1-9" in text
    # a long name may break after a hyphen followed by a word: "model-B-" / "no-ws"
    assert f"000/{page.ZWSP}model-B-{page.ZWSP}no-{page.ZWSP}ws" in text
    # Model names start with digits but are text: left-aligned; the intervals right-aligned.
    rule = next(line for line in text.splitlines() if line.startswith("|:") or line.startswith("|-"))
    assert rule.startswith("|:--") and rule.split("|")[2].endswith(":")
    # An interval is one word for the column widths (a longtable column never splits it).
    widths = [int(w) for w in re.search(r":widths: (.*)", text)[1].split()]
    assert widths[1] > len("−2.4 [−2.7, −2.1]")


def test_sync_hides_every_code_cell_and_the_parameters_cell_whole(tmp_path):
    chapter = write_chapter(
        tmp_path,
        "toy",
        """
        x = 1

        # %%
        glue_value("x", x)

        # %%
        # NBVAL_CHECK_OUTPUT
        print(x)

        # %% tags=["remove-cell"]
        glue_text("y", "z")

        # %% tags=["show-input"]
        print("code a reader should see")
        """,
    )
    cells = [c for c in sync.source_notebook(chapter).cells if c.cell_type == "code"]
    tags = [c.metadata.get("tags", []) for c in cells]
    assert tags == [
        ["parameters", "remove-cell"],  # listed in the execution appendix instead
        ["remove-input"],
        ["remove-input"],
        ["remove-input"],
        ["remove-cell"],
        ["show-input"],
    ]


# --------------------------------------------------------------------------- execute


def write_chapter(folder: Path, name: str, body: str) -> toc.Chapter:
    """A throwaway jupytext chapter with a parameters cell and ``body`` after it."""
    source = folder / f"{name}.py"
    source.write_text('# %% tags=["parameters"]\nvalue = 1\n\n# %%\n' + textwrap.dedent(body).strip() + "\n")
    return toc.Chapter(name, source, folder / f"{name}.ipynb")


def published_state(chapter: toc.Chapter, results: Path) -> dict[str, bytes]:
    files = [chapter.notebook, *sorted(results.glob("*"))]
    return {p.name: p.read_bytes() for p in files if p.exists()}


def leftovers(chapter: toc.Chapter, staging: Path) -> list[str]:
    scratch = [p.name for p in paths.TMP_DIR.glob(f"{chapter.name}.*")]
    scratch += [p.name for p in chapter.notebook.parent.glob(".*.ipynb")]
    scratch += [p.name for p in chapter.notebook.parent.rglob(f"{build.NEAR_PREFIX}*")]
    return scratch + [p.name for p in staging.glob("*")] if staging.exists() else scratch


@pytest.fixture
def chapter_env(tmp_path):
    """A chapter whose previous executed notebook and results exist, plus a staging root."""
    chapter = write_chapter(tmp_path, "toy", "print(value)")
    nbformat.write(nbformat.v4.new_notebook(metadata={"previous": True}), chapter.notebook)
    results = tmp_path / "results"
    results.mkdir()
    (results / "toy.csv").write_text("old\n")
    return chapter, results, tmp_path / "staging"


def fake_papermill(write_results: bool = True, fail: BaseException | None = None):
    def run(source: Path, output: Path, parameters) -> None:
        nb = nbformat.read(source, as_version=4)
        nb.metadata["executed_with"] = dict(parameters)
        nbformat.write(nb, output)  # papermill writes its output as it goes
        if write_results:
            (Path(os.environ[RESULTS_ENV]) / "toy.csv").write_text("new\n")
        if fail is not None:
            raise fail

    return run


def test_execute_success_replaces_notebook_and_results(chapter_env):
    chapter, results, staging = chapter_env
    published = build.execute_chapter(
        chapter,
        {"value": 2},
        results_dir=results,
        staging_parent=staging,
        executor=fake_papermill(),
    )
    assert published == [results / "toy.csv"]
    assert (results / "toy.csv").read_text() == "new\n"
    nb = nbformat.read(chapter.notebook, as_version=4)
    assert nb.metadata["executed_with"] == {"value": 2}
    stored = nb.metadata["pairlib"]  # the record travels with the notebook, written before publishing
    assert stored["fingerprint"] == record.fingerprint(chapter, {"value": 2})
    assert stored["parameters"] == {"value": 2}
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert leftovers(chapter, staging) == []
    assert os.environ.get(RESULTS_ENV) is None


def test_an_executed_chapter_is_current_until_its_cells_parameters_code_or_notebook_change(
    chapter_env, monkeypatch
):
    chapter, results, staging = chapter_env
    options = {"results_dir": results, "staging_parent": staging}
    assert not record.is_current(chapter, {"value": 2})  # a notebook without a record
    build.execute_chapter(chapter, {"value": 2}, executor=fake_papermill(), **options)
    assert record.is_current(chapter, {"value": 2})
    assert not record.is_current(chapter, {"value": 3})
    library = chapter.source.parent / "module.py"
    library.write_text("x = 1\n")
    real = record.dependencies
    monkeypatch.setattr(record, "dependencies", lambda c, nb=None: [*real(c, nb), library])
    assert not record.is_current(chapter, {"value": 2})  # a dependency joined
    build.execute_chapter(chapter, {"value": 2}, executor=fake_papermill(), **options)
    assert record.is_current(chapter, {"value": 2})
    library.write_text("x = 2\n")
    assert not record.is_current(chapter, {"value": 2})  # a dependency changed
    library.write_text("x = 1\n")
    assert record.is_current(chapter, {"value": 2})
    executed = chapter.notebook.read_bytes()
    stamp = record.fingerprint(chapter, {"value": 2}).encode()
    chapter.notebook.write_bytes(executed.replace(stamp, b"0" * len(stamp)))
    assert not record.is_current(chapter, {"value": 2})  # another notebook, e.g. an older checkout
    chapter.notebook.write_bytes(executed)
    assert record.is_current(chapter, {"value": 2})
    chapter.source.write_text(chapter.source.read_text() + "\n# %% [markdown]\n# More prose.\n")
    assert not record.is_current(chapter, {"value": 2})  # a cell changed


def test_a_chapter_depends_on_the_library_modules_it_imports_and_only_those():
    chapters = {c.name: c for c in toc.toc_chapters()}
    pairs = record.dependencies(chapters["pairs"])
    assert REPO_ROOT / "pairlib" / "page" / "__init__.py" in pairs  # imported by the chapter
    assert REPO_ROOT / "pairlib" / "page" / "glue.py" in pairs  # imported by the page package
    assert REPO_ROOT / "pairlib" / "chapters" / "pairs.py" in pairs  # the chapter's own module
    assert REPO_ROOT / "pairlib" / "chapters" / "weight_sharing.py" not in pairs  # another chapter's
    assert REPO_ROOT / "pairlib" / "data.py" in pairs  # imported by page, through configs
    for tooling in ("build", "kernels", "record", "sync"):  # the tooling decides no figure
        assert REPO_ROOT / "pairlib" / f"{tooling}.py" not in pairs
    assert REPO_ROOT / "pairlib" / "reproduce.py" not in pairs
    framework = record.dependencies(chapters["mini_framework"])
    assert REPO_ROOT / "pairlib" / "framework" / "modules.py" in framework


def test_a_docstring_edit_of_the_library_re_executes_no_chapter(tmp_path, monkeypatch):
    chapter = write_chapter(tmp_path, "toy", "from pairlib import train")
    before = record.fingerprint(chapter, {})
    package = tmp_path / "pairlib"
    shutil.copytree(REPO_ROOT / "pairlib", package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(record, "PACKAGE_DIR", package)
    baseline = record.fingerprint(chapter, {})  # the copy's (its files are named by their paths)
    assert baseline != before
    source = (package / "train.py").read_text()
    (package / "train.py").write_text(source.replace('"""', '"""Reworded for a test. ', 1))
    assert record.fingerprint(chapter, {}) == baseline
    (package / "train.py").write_text(source + "\nEXTRA = 1\n")
    assert record.fingerprint(chapter, {}) != baseline  # a change of code re-executes it


def test_the_summary_depends_on_the_other_chapters_results():
    summary = next(c for c in toc.toc_chapters() if c.name == "summary")
    pairs = next(c for c in toc.toc_chapters() if c.name == "pairs")
    assert paths.RESULTS_DIR / "pairs.csv" in record.dependencies(summary)
    assert paths.RESULTS_DIR / "pairs.csv" not in record.dependencies(pairs)
    for chapter in (summary, pairs):
        assert REPO_ROOT / "requirements.lock" in record.dependencies(chapter)


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_execute_failure_leaves_everything_untouched(chapter_env, error):
    chapter, results, staging = chapter_env
    before = published_state(chapter, results)
    with pytest.raises(type(error)):
        build.execute_chapter(
            chapter, results_dir=results, staging_parent=staging, executor=fake_papermill(fail=error)
        )
    assert published_state(chapter, results) == before
    assert leftovers(chapter, staging) == []


def test_a_record_that_cannot_be_written_publishes_nothing(chapter_env, monkeypatch):
    # The execution record is written into the notebook before anything is published: a full
    # disk there leaves the previous notebook and results, as the build's message says.
    chapter, results, staging = chapter_env
    before = published_state(chapter, results)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build, "write_record", full)
    with pytest.raises(OSError, match="No space left"):
        build.execute_chapter(chapter, results_dir=results, staging_parent=staging, executor=fake_papermill())
    assert published_state(chapter, results) == before
    assert leftovers(chapter, staging) == []


def test_execute_requires_a_parameters_cell(tmp_path):
    source = tmp_path / "bare.py"
    source.write_text("# %%\nx = 1\n")
    chapter = toc.Chapter("bare", source, tmp_path / "bare.ipynb")
    with pytest.raises(toc.BuildError, match="tagged parameters"):
        build.execute_chapter(chapter, staging_parent=tmp_path / "s", executor=fake_papermill())


@pytest.mark.slow
def test_papermill_failure_keeps_previous_notebook(chapter_env):
    chapter, results, staging = chapter_env
    chapter.source.write_text(
        '# %% tags=["parameters"]\nvalue = 1\n\n# %%\nraise ValueError(f"boom {value}")\n'
    )
    before = published_state(chapter, results)
    with pytest.raises(Exception) as info:
        build.execute_chapter(chapter, {"value": 7}, results_dir=results, staging_parent=staging)
    assert kernels.describe_error(info.value) == "ValueError: boom 7"
    assert published_state(chapter, results) == before
    assert leftovers(chapter, staging) == []


@pytest.mark.slow
def test_papermill_success_records_results(chapter_env):
    chapter, results, staging = chapter_env
    chapter.source.write_text(
        '# %% tags=["parameters"]\nvalue = 1\n\n# %%\n'
        "import pandas as pd\nfrom pairlib.page import save_results\n"
        'save_results(pd.DataFrame({"value": [value]}), "toy")\n'
    )
    build.execute_chapter(chapter, {"value": 5}, results_dir=results, staging_parent=staging)
    assert (results / "toy.csv").read_text().split() == ["value", "5"]
    nb = nbformat.read(chapter.notebook, as_version=4)
    assert nb.metadata["papermill"]["parameters"] == {"value": 5}
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    assert leftovers(chapter, staging) == []


@pytest.mark.slow
def test_sigterm_midway_leaves_everything_untouched(chapter_env):
    chapter, results, staging = chapter_env
    started = chapter.source.parent / "started"
    chapter.source.write_text(
        '# %% tags=["parameters"]\nvalue = 1\n\n# %%\n'
        "import os, pathlib, time\n"
        f'pathlib.Path(os.environ["{RESULTS_ENV}"], "toy.csv").write_text("half\\n")\n'
        f"pathlib.Path({str(started)!r}).touch()\n"
        "time.sleep(60)\n"
    )
    before = published_state(chapter, results)
    script = textwrap.dedent(
        f"""
        import signal
        from pathlib import Path
        from pairlib import build, kernels, toc
        signal.signal(signal.SIGTERM, kernels.raise_interrupt)
        chapter = toc.Chapter("toy", Path({str(chapter.source)!r}), Path({str(chapter.notebook)!r}))
        build.execute_chapter(chapter, results_dir=Path({str(results)!r}),
                              staging_parent=Path({str(staging)!r}))
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT)
    try:
        deadline = time.monotonic() + 90
        while not started.exists():
            assert proc.poll() is None, "the build exited before the chapter started"
            assert time.monotonic() < deadline, "the chapter never started"
            time.sleep(0.2)
        assert any(staging.glob("*/toy.csv"))  # results were staged, not published
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) != 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert published_state(chapter, results) == before
    assert leftovers(chapter, staging) == []


# --------------------------------------------------------------------------- command line


def test_parse_value_reads_like_papermill():
    assert [build.parse_value(v) for v in ["3", "0.5", "True", "None", "cpu"]] == [3, 0.5, True, None, "cpu"]


def test_select_adds_the_summary_and_rejects_unknown_chapters():
    chapters = toc.toc_chapters()
    names = [c.name for c in chapters]
    aggregators = [c.name for c in chapters if c.gathers]
    assert [c.name for c in build.select(chapters, ["pairs"])] == ["pairs", *aggregators]
    everything = [c.name for c in build.select(chapters, [])]
    assert sorted(everything) == sorted(names) and everything[-len(aggregators) :] == aggregators
    assert everything[0] == "pairs" and "summary" in aggregators and "index" in aggregators
    with pytest.raises(toc.BuildError, match="unknown chapter nope"):
        build.select(chapters, ["nope"])


def test_parameters_go_to_the_chapters_that_declare_them():
    chapters = build.select(toc.toc_chapters(), ["pairs"])
    split = build.chapter_parameters(chapters, {"rounds": 3})
    assert split == {"pairs": {"rounds": 3}, **{c.name: {} for c in chapters if c.gathers}}
    with pytest.raises(toc.BuildError, match="parameter roundz is declared by none"):
        build.chapter_parameters(chapters, {"roundz": 3})


# --------------------------------------------------------------------------- toc and pairs


def test_toc_entries_exist_and_notebooks_are_paired():
    for stem in paths.toc_files():
        assert any(stem.with_suffix(s).is_file() for s in (".md", ".ipynb", ".py")), stem
    for notebook in [*REPO_ROOT.glob("notebooks/*.ipynb"), *REPO_ROOT.glob("book/*.ipynb")]:
        assert notebook.with_suffix(".py").is_file(), f"{notebook} has no paired .py"
    names = [c.name for c in toc.toc_chapters()]
    assert names[0] == "index" and names[1] == "pairs"  # the landing page, then the data


def test_a_chapter_declares_what_it_gathers_in_its_own_metadata(tmp_path):
    gathers = {c.name: c.gathers for c in toc.toc_chapters()}
    assert gathers["execution"] == ("results", "notebooks") and gathers["summary"] == ("results",)
    assert gathers["pairs"] == () and gathers["index"] == ("results",)
    plain = write_chapter(tmp_path, "plain", "print(value)")  # no chapter metadata at all
    assert toc.Chapter.read(plain.source) == toc.Chapter("plain", plain.source, plain.notebook)
    header = "# ---\n# jupyter:\n#   chapter:\n#     gathers: [tables]\n# ---\n\n"
    odd = tmp_path / "odd.py"
    odd.write_text(header + plain.source.read_text())
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: plain\nchapters:\n  - file: odd\n")
    with pytest.raises(toc.BuildError, match=r"odd\.py: .*gathers has unknown value 'tables'"):
        toc.toc_chapters(tmp_path / "_toc.yml")


GLUE_REFERENCE = re.compile(
    r"\{glue(?::text|:figure|:md|:math|:)?\}`([^`:]+)(?::[^`]*)?`|```\{glue:figure\} (\S+)"
)


def glue_references(nb: nbformat.NotebookNode) -> set[str]:
    """Names the notebook's markdown (and the markdown its cells display) asks glue for."""
    texts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    texts += [
        o.get("data", {}).get("text/markdown", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    ]
    return {a or b for text in texts for a, b in GLUE_REFERENCE.findall(text)}


def glued_names(nb: nbformat.NotebookNode) -> set[str]:
    return {
        o["metadata"]["scrapbook"]["name"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "scrapbook" in o.get("metadata", {})
    }


def test_glue_references_are_found_by_the_pattern():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("a {glue:text}`x_1:.1f` b {glue:}`y`\n```{glue:figure} fig-z\n```")
    ]
    assert glue_references(nb) == {"x_1", "y", "fig-z"}


@pytest.mark.parametrize("chapter", toc.toc_chapters(), ids=lambda c: c.name)
def test_every_glue_reference_of_a_chapter_is_glued(chapter):
    # An unknown glue key is only a warning to Sphinx; the build turns it into an error, but
    # CI does not build the book: catch it here, from the committed executed notebook.
    nb = nbformat.read(chapter.notebook, as_version=4)
    missing = glue_references(nb) - glued_names(nb)
    assert not missing, f"{chapter.notebook.name} refers to glue names it never glues: {sorted(missing)}"


# --------------------------------------------------------------------------- published


def test_load_published_has_the_five_reports():
    df = load_published()
    assert df["report"].nunique() == 5
    assert not df.duplicated(["report", "model_id"]).any()
    assert df["test_error_mean_pct"].notna().all()


def test_published_csv_is_the_shared_transcription():
    assert hashlib.sha256(PUBLISHED_CSV.read_bytes()).hexdigest() == SHARED_CSV_SHA256


def test_published_row_lookup_and_errors():
    row = published_row("003", "siamese 10")
    assert row["report"] == "003_4241faf549edf58f" and row["test_error_mean_pct"] == 2.0
    with pytest.raises(MissingPublishedRow, match=r"no model 'siamese 3'.*'siamese 10'"):
        published_row("003", "siamese 3")
    with pytest.raises(MissingPublishedRow, match="no report match prefix '9'"):
        published_row("9", "x")
    with pytest.raises(MissingPublishedRow, match="5 reports match prefix '00'"):
        published_row("00", "x")


def test_missing_tex_names_the_packages(monkeypatch, capsys):
    monkeypatch.setattr(build, "missing_tex", lambda: {"xelatex": "texlive-xetex", "latexmk": "latexmk"})
    with pytest.raises(toc.BuildError) as info:
        build.check_tex()
    message = str(info.value)
    assert "apt-get install -y --no-install-recommends latexmk texlive-xetex" in message
    assert build.main(["--tex-packages"]) == 0
    assert capsys.readouterr().out.split() == ["latexmk", "texlive-xetex"]
    assert "--no-pdf" in message and "\n" not in message


def test_compare_with_published_links_rows_and_skips_other_tables():
    published = load_published()
    siamese = {"report": "003_4241faf549edf58f", "published_model_id": "siamese 10"}
    results = {
        "pairs": pd.DataFrame({"seed": [0], "positive_fraction": [0.55]}),  # not a model table
        "weight_sharing": pd.DataFrame(
            {
                "model_id": ["003/siamese-10", "ours only"],
                "rounds": [10, 3],
                "test_error_mean_pct": [2.5, 12.0],
                "test_error_std_pct": [0.5, float("nan")],
                "report": [siamese["report"], ""],
                "published_model_id": [siamese["published_model_id"], ""],
            }
        ),
        # the same published model again in a later chapter: listed once, under the first
        "comparator": pd.DataFrame(
            {
                "model_id": ["003/siamese-10", "best"],
                "rounds": [10, 10],
                "test_error_mean_pct": [2.5, 1.25],
                "test_error_std_pct": [0.5, 0.25],
                **{k: [v, ""] for k, v in siamese.items()},
            }
        ),
    }
    table = page.compare_with_published(results, published)
    assert table.to_dict("records") == [
        {
            "report": "003",
            "published model": "siamese 10",
            "published (%)": "2.0 ± 0.6",
            "ours (%)": "2.5 ± 0.5",
            "rounds": 10,
            "chapter": "weight_sharing",
        }
    ]
    best = page.best_per_chapter(results)
    assert best[["chapter", "model", "chosen by", "test error (%)"]].values.tolist() == [
        ["weight_sharing", "003/siamese-10", page.TEST_CHOSEN, "2.5 ± 0.5"],
        ["comparator", "best", page.TEST_CHOSEN, "1.2 ± 0.2"],
    ]
    # a chapter that marks its validation-chosen model is summarised by it, not by the minimum
    results["comparator"]["headline"] = [True, False]
    best = page.best_per_chapter(results)
    assert best.loc[1, ["model", "chosen by"]].tolist() == ["003/siamese-10", "validation pairs"]


def test_glue_comparisons_binds_names_to_labels_not_positions(monkeypatch):
    """Inserting a comparison into a family rebinds no other sentence: every name glued before
    the insertion holds the same numbers after it, and the new row gets a name of its own."""
    from pairlib.page import glue

    def glued(table):
        seen = {}
        monkeypatch.setattr(glue, "glue_value", lambda name, value: seen.__setitem__(name, value))
        monkeypatch.setattr(glue, "glue_text", lambda name, text: seen.__setitem__(name, text))
        glue.glue_comparisons("ws_share", table)
        return seen

    def row(label, a, b):
        return {
            "comparison": label,
            "mean_a": a,
            "mean_b": b,
            "difference": b - a,
            "ci_low": b - a - 1,
            "ci_high": b - a + 1,
            "p_adjusted": 0.2,
            "wilcoxon_p": 0.3,
            "b_better_rounds": 4,
            "rounds": 10,
            "clear": False,
            "fragile": False,
            "a": "x",
            "b": "y",
        }

    before = pd.DataFrame(
        [row("FC, same architecture", 10.0, 9.0), row("ConvNet 002, α=0.5 → 2× epochs", 5.0, 6.0)]
    )
    after = pd.concat([pd.DataFrame([row("report 000's Model B", 20.0, 15.0)]), before], ignore_index=True)
    old, new = glued(before), glued(after)
    assert "ws_share_convnet_002_alpha_0_5_to_2x_epochs_effect" in old
    assert {name: new[name] for name in old} == old
    assert new["ws_share_report_000s_model_b_a"] == 20.0
    with pytest.raises(ValueError, match="share a glue key"):
        glued(pd.concat([before, before], ignore_index=True))


def test_scorecard_reproduced_within_two_standard_errors_of_the_difference():
    published = pd.DataFrame(
        {
            "report": ["000_x", "001_y", "002_z"],
            "model_id": ["a", "b", "c"],
            "test_error_mean_pct": [10.0, 10.0, 10.0],
            "test_error_std_pct": [2.0, 2.0, float("nan")],
            "rounds": pd.array([4, 4, None], dtype="Int64"),
        }
    )
    ours = pd.DataFrame(
        {
            "model_id": ["000/a", "001/b", "002/c", "001/b [wider]", "001/b [deeper]"],
            "rounds": [4, 4, 4, 4, 4],
            "test_error_mean_pct": [11.5, 7.0, 11.5, 8.0, 9.0],
            "test_error_std_pct": [2.0, 2.0, 2.0, 2.0, 2.0],
            "report": ["000_x", "001_y", "002_z", "", ""],
            "published_model_id": ["a", "b", "c", "", ""],
        }
    )
    card = page.reproduction_scorecard({"chapter": ours}, published, causes={"001/b": "a reason"})
    # se of each side 2 / sqrt(4) = 1. a: z = 1.5 / sqrt(2) = 1.06; b: -3 / sqrt(2) = -2.12;
    # c: no published std, so no z at all (methods.md): compared in words.
    assert card["report"].tolist() == ["000", "001", "002"]
    assert card["verdict"].tolist() == ["reproduced", "ours lower", "no spread published"]
    assert card["z"].round(2).tolist()[:2] == [1.06, -2.12] and math.isnan(card["z"].iloc[2])
    assert card["tested_by"].tolist() == ["", "001/b [wider]; 001/b [deeper]", ""]
    assert card["cause"].tolist() == ["", "a reason", ""]
    assert page.change_phrase(ours, "000/a", "001/b") == "lowers it from 11.5% to 7.0%"
    assert page.change_phrase(ours, "001/b", "000/a") == "raises it from 7.0% to 11.5%"
    assert page.change_phrase(ours, "000/a", "002/c") == "leaves it at 11.5%"


def test_table_widths_fit_the_line_by_wrapping_text_columns_only():
    # Two number columns (fixed) and a text column that may wrap down to its longest word.
    assert page.fit_widths([(10, 10), (60, 20)], line=100) == [10, 60]  # fits: as preferred
    assert page.fit_widths([(10, 10), (60, 20), (40, 40)], line=86) == [10, 30, 40]
    assert page.fit_widths([(50, 50), (60, 60)], line=50) == [50, 60]  # nothing can give
    cells = pd.Series(["a long description of a model that wraps", "short"])
    preferred, minimum = typeset._column_widths("what", cells)
    assert minimum == len("description") + 2 and preferred > minimum


def test_clear_verb_says_no_change_unless_the_comparison_is_clear():
    assert page.clear_verb({"clear": True, "difference": -1.2}) == "lowers"
    assert page.clear_verb({"clear": True, "difference": 0.8}) == "raises"
    assert page.clear_verb({"clear": False, "difference": -5.0}) == "does not clearly change"


def test_a_difference_that_rounds_to_zero_has_no_sign():
    assert page.signed(-0.04) == "0.0" and page.signed(0.04) == "0.0"
    assert page.signed(-0.06) == "−0.1" and page.signed(1.94) == "+1.9"
    assert page.interval(-0.04, 1.94) == "[0.0, +1.9]"
    assert page.interval(0.6, 0.88, digits=2, sign=False) == "[0.60, 0.88]"  # one precision per interval
