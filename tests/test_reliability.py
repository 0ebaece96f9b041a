"""The faults a careful user runs into: each test here failed before its fix (issue 15).

Stale tables, killed processes, scratch files, misspelt parameters, an unusable or stale
cache, private file modes, odd working directories and torchvision's legacy files.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
import warnings
from concurrent import futures
from pathlib import Path

import nbformat
import pytest
from conftest import pytest_ignore_collect

from pairlib import build, cache, page, paths, provision, record, runner, toc
from pairlib.data import mnist_root
from pairlib.files import write_atomically
from pairlib.results import RESULTS_ENV

# --------------------------------------------------------------------------- 1. build skip


def toy_chapter(folder: Path) -> toc.Chapter:
    source = folder / "toy.py"
    source.write_text('# %% tags=["parameters"]\nvalue = 1\n\n# %%\nprint(value)\n')
    chapter = toc.Chapter("toy", source, folder / "toy.ipynb")
    nbformat.write(nbformat.v4.new_notebook(), chapter.notebook)
    return chapter


def test_build_reexecutes_a_chapter_whose_published_table_is_missing_or_changed(tmp_path):
    chapter = toy_chapter(tmp_path)
    table = paths.RESULTS_DIR / "toy_reliability_test.csv"  # the record names tables in the repo
    table.write_text("model_id\nold\n")
    try:
        tables = {toc.shown(table): table}
        record.write_record(chapter, chapter.notebook, record.fingerprint(chapter, {}), {}, tables, (0, 0, 0))
        assert record.is_current(chapter, {})
        table.write_text("model_id\nreplaced by an older table\n")
        assert not record.is_current(chapter, {})
        table.unlink()
        assert not record.is_current(chapter, {})
    finally:
        table.unlink(missing_ok=True)


# --------------------------------------------------------------------------- 2. orphans


def _descendants(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
    children: dict[int, set[int]] = {}
    for line in out.splitlines():
        child, parent = map(int, line.split())
        children.setdefault(parent, set()).add(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_of_the_parent_leaves_no_worker_process():
    script = (
        "import time\nfrom pairlib import runner\nrunner.run_jobs([60, 61], time.sleep, None, workers=2)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=paths.REPO_ROOT)
    try:
        deadline = time.monotonic() + 60
        while len(_descendants(proc.pid)) < 2:  # two workers (and the resource tracker)
            assert proc.poll() is None and time.monotonic() < deadline, "the workers never started"
            time.sleep(0.2)
        time.sleep(1.0)
        workers = _descendants(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in workers if _running(pid)], "workers outlived their killed parent"
    finally:
        for pid in _descendants(proc.pid) | {proc.pid}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_a_worker_that_dies_is_an_error_naming_its_job():
    with pytest.raises(runner.JobFailed, match="died while running 9"):
        runner.run_jobs([9, 10], os._exit, None, workers=2, progress=False)


# --------------------------------------------------------------------------- 3. scratch files


def test_scratch_notebooks_live_where_pytest_never_collects():
    chapter = toc.toc_chapters()[0]
    for scratch in (chapter.temp_notebook, chapter.temp_input):
        assert scratch.is_relative_to(paths.TMP_DIR)
    assert not paths.TMP_DIR.is_relative_to(paths.REPO_ROOT / "tests")
    assert pytest_ignore_collect(Path("tests/reference/.pairs.tmp.ipynb"), None) is True
    assert pytest_ignore_collect(Path("tests/reference/pairs.ipynb"), None) is None


def test_stale_scratch_of_killed_builds_is_removed_and_live_scratch_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"pairs.{dead.pid}.tmp.ipynb"
    stale_staging = tmp_path / f"pairs.{dead.pid}.x1y2"
    live = tmp_path / f"pairs.{os.getpid()}.tmp.ipynb"
    stale.write_text("{}")
    stale_staging.mkdir()
    live.write_text("{}")
    removed = build.remove_stale([tmp_path])
    assert sorted(removed) == sorted([stale, stale_staging])
    assert live.exists() and not stale.exists() and not stale_staging.exists()


@pytest.mark.slow
def test_sigterm_during_a_reference_run_leaves_no_scratch_notebook():
    script = textwrap.dedent(
        """
        import signal, sys
        from pairlib import regression
        def slow(source, output, parameters):
            import time
            print("started", flush=True)
            time.sleep(60)
        regression.papermill_execute = slow
        sys.exit(regression.main(["pairs"]))
        """
    )
    before = set(paths.TMP_DIR.glob("*")) if paths.TMP_DIR.exists() else set()
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=paths.REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        while "started" not in proc.stdout.readline():
            assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
    assert set(paths.TMP_DIR.glob("*")) == before
    assert not list((paths.REPO_ROOT / "tests" / "reference").glob(".*"))


# --------------------------------------------------------------------------- 4. parameters


@pytest.mark.slow
def test_papermill_with_a_misspelt_parameter_fails_in_one_line(tmp_path):
    import papermill

    source = tmp_path / "chapter.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("rounds = 10", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "from pairlib.page import check_parameters\np = check_parameters(rounds=rounds)"
        ),
        nbformat.v4.new_code_cell("print('trained')"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(papermill.PapermillExecutionError) as caught:
            papermill.execute_notebook(
                str(source), str(tmp_path / "out.ipynb"), parameters={"round": 2}, progress_bar=False
            )
    assert caught.value.ename == "ValueError"
    assert "parameter round=2 is not allowed: unknown name" in caught.value.evalue
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert "trained" not in json.dumps([c.get("outputs", []) for c in out.cells])


def test_one_round_is_refused_before_any_training():
    with pytest.raises(ValueError, match=r"parameter rounds=1 is not allowed.*two rounds"):
        page.check_parameters(rounds=1)
    assert page.check_parameters(rounds=2)["rounds"] == 2


# --------------------------------------------------------------------------- 5-6. cache


def test_cache_keys_change_with_the_numeric_packages(monkeypatch):
    before = cache.entry_key({"run": 1})
    installed = cache.environment()
    monkeypatch.setattr(cache, "environment", lambda: {**installed, "torch": "0.0.1"})
    assert cache.entry_key({"run": 1}) != before


@pytest.mark.parametrize("fault", ["file in its place", "read-only folder"])
def test_an_unusable_cache_is_reported_and_the_results_kept(tmp_path, monkeypatch, fault):
    target = tmp_path / "cache"
    if fault == "file in its place":
        target.write_text("not a folder")
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        target.mkdir()
        target.chmod(0o500)
    monkeypatch.setenv("PAIRLIB_CACHE_DIR", str(target))
    with pytest.warns(UserWarning, match="PAIRLIB_CACHE_DIR"):
        results = runner.run_jobs([-1, -2], abs, lambda job: [f"key{job}"], workers=1, progress=False)
    assert results == {-1: 1, -2: 2}


def test_a_failed_cache_write_keeps_the_finished_run(private_cache, monkeypatch):
    def full_disk(path: Path, content: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache, "write_atomically", full_disk)
    with pytest.warns(UserWarning, match="No space left"):
        results = runner.run_jobs([-3, -4], abs, lambda job: [f"key{job}"], workers=1, progress=False)
    assert results == {-3: 3, -4: 4}


def test_a_folder_where_an_entry_should_be_is_recomputed(private_cache):
    key = cache.entry_key({"folder": True})
    (private_cache / key[:2] / f"{key}.json").mkdir(parents=True)
    with pytest.warns(UserWarning):
        assert cache.load(key) is None
        results = runner.run_jobs([-5], abs, lambda job: [key], workers=1, progress=False)
    assert results == {-5: 5}


# --------------------------------------------------------------------------- 7. file modes


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664)])
def test_written_files_honour_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        write_atomically(tmp_path / "f.json", b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "f.json").stat().st_mode) == mode


# --------------------------------------------------------------------------- 8. working directory


def test_default_folders_are_the_repositorys_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTORCH_DATA_DIR", raising=False)
    monkeypatch.delenv("PAIRLIB_CACHE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert mnist_root() == paths.REPO_ROOT / "data" / "mnist"
    assert cache.cache_dir() == paths.REPO_ROOT / ".cache" / "runs"


# --------------------------------------------------------------------------- 9. legacy files


def test_legacy_processed_files_are_removed_before_torchvision_can_read_them(tmp_path):
    real = provision.raw_folder(mnist_root())
    if provision.raw_files_status(mnist_root()) != dict.fromkeys(provision.IDX_MD5, "ok"):
        pytest.skip("MNIST is not provisioned (make data)")
    raw = provision.raw_folder(tmp_path)
    raw.mkdir(parents=True)
    for name in provision.IDX_MD5:
        (raw / name).symlink_to(real / name)
    legacy = tmp_path / "MNIST" / "processed"
    legacy.mkdir(parents=True)
    (legacy / "training.pt").write_bytes(b"labels that were never checked")
    said: list[str] = []
    provision.ensure_raw_files(tmp_path, sources=(), log=said.append)
    assert not (legacy / "training.pt").exists()
    assert any("training.pt" in line for line in said)


# --------------------------------------------------------------------------- minor


def test_a_bad_worker_count_names_the_variable(monkeypatch):
    monkeypatch.setenv("PAIRLIB_WORKERS", "abc")
    with pytest.raises(ValueError, match=r"\$PAIRLIB_WORKERS must be a positive integer, got 'abc'"):
        runner.default_workers(runner.resolve_device("cpu"))


def test_without_shared_memory_jobs_run_in_process(monkeypatch):
    def no_shm(*args, **kwargs):
        raise OSError(38, "Function not implemented: /dev/shm")

    runner.shutdown()
    monkeypatch.setattr(futures, "ProcessPoolExecutor", no_shm)
    with pytest.warns(UserWarning, match="in this process"):
        results = runner.run_jobs([-6, -7], abs, None, workers=2, progress=False)
    assert results == {-6: 6, -7: 7}


def test_no_execute_refuses_chapter_names(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build.main(["--no-execute", "pairs"])
    assert exit_info.value.code == 2
    assert "--no-execute" in capsys.readouterr().err


# --------------------------------------------------------------------------- 6. two builds, mounts


def test_a_second_build_says_in_one_line_that_one_is_running(tmp_path, monkeypatch, capsys):
    lock = tmp_path / "build.lock"
    monkeypatch.setattr(build, "LOCK_PATH", lock)
    held = build.build_lock(lock)
    try:
        assert build.main(["--no-execute", "--no-pdf", "--no-html"]) == 1
        out = capsys.readouterr().out.strip().splitlines()
        assert len(out) == 1 and "another build is running" in out[0] and str(os.getpid()) in out[0]
    finally:
        held.close()
    again = build.build_lock(lock)  # released with its holder: a later build proceeds
    again.close()


def test_the_build_lock_is_released_when_its_holder_is_killed(tmp_path):
    lock = tmp_path / "build.lock"
    script = "import pathlib, time\nfrom pairlib import build\n"
    script += f"held = build.build_lock(pathlib.Path({str(lock)!r}))\n"
    holder = subprocess.Popen([sys.executable, "-c", script + "time.sleep(60)\n"])
    try:
        for _ in range(100):
            if lock.exists() and lock.read_text().strip() == str(holder.pid):
                break
            time.sleep(0.1)
        with pytest.raises(toc.BuildError, match=f"pid {holder.pid}"):
            build.build_lock(lock)
    finally:
        holder.kill()
        holder.wait()
    build.build_lock(lock).close()  # SIGKILL ran no cleanup, yet the lock is free


def test_a_chapter_publishes_when_its_staging_is_on_another_filesystem(tmp_path):
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs /dev/shm on a filesystem other than the temporary folder's")
    chapter = toy_chapter(tmp_path)
    results = tmp_path / "results"

    def executor(source: Path, output: Path, parameters) -> None:
        nbformat.write(nbformat.read(source, as_version=4), output)
        (Path(os.environ[RESULTS_ENV]) / "toy.csv").write_text("value\n1\n")

    staging = shm / f"pairlib-test-{os.getpid()}"
    try:
        published = build.execute_chapter(
            chapter, {}, results_dir=results, staging_parent=staging, executor=executor
        )
    finally:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
    assert published == [results / "toy.csv"] and (results / "toy.csv").read_text() == "value\n1\n"
    assert record.is_current(chapter, {})
    assert not list(results.glob(".*")) and not list(tmp_path.glob(f"{build.NEAR_PREFIX}*"))


def test_files_staged_beside_the_record_by_a_killed_build_are_removed(tmp_path, monkeypatch):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    monkeypatch.setattr(build, "RESULTS_DIR", tmp_path)
    stale = tmp_path / f"{build.NEAR_PREFIX}{dead.pid}-pairs.csv.tmp"
    live = tmp_path / f"{build.NEAR_PREFIX}{os.getpid()}-pairs.csv.tmp"
    stale.write_text("x")
    live.write_text("x")
    assert stale in build.remove_stale([])
    assert live.exists() and not stale.exists()


@pytest.mark.slow
def test_an_executed_chapter_leaves_no_socket_or_file_in_the_repository(tmp_path):
    chapter = toy_chapter(tmp_path)
    before = set(paths.REPO_ROOT.iterdir())
    build.execute_chapter(chapter, {}, results_dir=tmp_path / "results", staging_parent=tmp_path / "staging")
    assert set(paths.REPO_ROOT.iterdir()) - before <= {paths.BUILD_DIR}
    nb = nbformat.read(chapter.notebook, as_version=4)
    streams = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "stream"]
    assert [o["text"] for o in streams] == ["1\n"]  # the page alone: no kernel warning, no progress
