"""The runner: the same figures wherever the jobs run, and independent random streams."""

from __future__ import annotations

import itertools
import os
import re
import threading
import time

import pandas as pd
import pytest

from pairlib import runner
from pairlib.fitting import TrainConfig
from pairlib.models import ModelSpec
from pairlib.runner import Protocol
from pairlib.seeds import STREAMS, stream_seed
from pairlib.train import RoundJob, run_grid


def test_streams_differ_across_rounds_members_and_kinds():
    seeds = {
        (seed, member, stream): stream_seed(seed, stream, member)
        for seed, member, stream in itertools.product(range(20), range(5), STREAMS)
    }
    assert len(set(seeds.values())) == len(seeds)
    # The defect this replaced: round r's augmentation was seeded seed + 1, round r+1's order.
    assert stream_seed(0, "augment") != stream_seed(1, "order")
    assert stream_seed(3, "init") == stream_seed(3, "init")  # and they are reproducible
    with pytest.raises(ValueError, match="stream"):
        stream_seed(0, "noise")  # type: ignore[arg-type]


TINY = TrainConfig(model=ModelSpec(body="mlp", hidden=(16,)), epochs=2, n_pairs=200)


def _figures(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=["seconds"]).reset_index(drop=True)


@pytest.mark.slow
def test_a_dask_cluster_gives_exactly_the_figures_of_local_workers(monkeypatch):
    distributed = pytest.importorskip("distributed")
    local = run_grid(
        {"tiny": TINY, "ws": TINY.replace(lr=0.05)}, Protocol(rounds=2, progress=False), use_cache=False
    )
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        monkeypatch.setenv(runner.SCHEDULER_ENV, cluster.scheduler_address)
        try:
            remote = run_grid(
                {"tiny": TINY, "ws": TINY.replace(lr=0.05)},
                Protocol(rounds=2, progress=False),
                use_cache=False,
            )
            with pytest.raises(runner.JobFailed, match=r"Dask workers running [78] died"):
                runner.run_jobs([7, 8], os._exit, None, workers=2, progress=False)
        finally:
            runner.shutdown()
    pd.testing.assert_frame_equal(_figures(local), _figures(remote))


@pytest.mark.slow
def test_a_scheduler_that_goes_away_mid_run_is_named_with_the_job(monkeypatch):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    )
    address = cluster.scheduler_address
    monkeypatch.setenv(runner.SCHEDULER_ENV, address)
    stopper = threading.Timer(3.0, cluster.close)
    stopper.start()
    try:
        with pytest.raises(runner.JobFailed) as failed:
            runner.run_jobs([RoundJob("slow-job", TINY, 3, 13)], _sleep_job, None, workers=1, progress=False)
    finally:
        stopper.join()
        runner.shutdown()
    message = str(failed.value)
    assert "\n" not in message and address in message and "slow-job, round 3, seed 13" in message


def _sleep_job(job: object) -> None:
    time.sleep(60)


def test_a_job_is_named_by_its_name_round_and_seed_not_its_configuration():
    text = runner.describe_job(RoundJob("002/WS1", TINY, 4, 104))
    assert text == "002/WS1, round 4, seed 104"
    assert len(runner.describe_job("x" * 500)) <= 120


def test_an_unreachable_scheduler_is_named(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setenv(runner.SCHEDULER_ENV, "tcp://127.0.0.1:9")
    monkeypatch.setattr(runner, "CONNECT_TIMEOUT", "2s")
    try:
        with pytest.raises(RuntimeError, match=re.escape("PAIRLIB_SCHEDULER='tcp://127.0.0.1:9'")):
            runner.run_jobs([-1, -2], abs, None, workers=2, progress=False)
    finally:
        runner.shutdown()
