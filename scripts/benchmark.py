"""How close does training come to this machine's limit? Prints figures; asserts nothing.

Run with ``make bench`` (or ``.venv/bin/python scripts/benchmark.py [--rounds 10] [--book]``).
Side by side, in one process:

1. the roof: float32 GFLOP/s of a 2048x2048 matmul (best of several);
2. for the course's 2-channel ConvNet and the siamese ConvNet with auxiliary loss: the time of
   one 25-epoch run on 1000 pairs, its FLOPs (counted by torch's FlopCounterMode: forward and
   backward of every minibatch, plus the final evaluation), the achieved GFLOP/s and their
   fraction of the roof, in the NCHW reference layout and in channels_last (the default),
   on two threads and on one (how the book's worker processes train), and with the explicit
   ``precision="bfloat16"`` option (never the book's default: it changes the numbers);
   then report 003's siamese-10 in torch against the mini framework, with the framework's
   profile by module, and in the native against the portable numerics mode (a ratio);
3. ``--rounds`` rounds run one after another in one process vs in two single-thread worker
   processes (how ``run_grid`` trains), and with ``torch.compile``, as ratios of wall time;
4. with ``--book``: the book's execution time from a cold results cache (every chapter at its
   full protocol), then from the warm cache (every chapter re-executed, ``--force``), then a
   plain build (chapters current, so only checked; HTML and PDF rendered). The cold run uses
   ``--book-cache`` (emptied first; default: a temporary folder), so passing the project's
   own ``.cache/runs`` leaves it warm afterwards.

Timings on a shared machine are noisy: each figure is the best of ``--repeat`` tries.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from pairlib.configs import get_config
from pairlib.data import generate_pair_sets, normalize_pairs
from pairlib.fitting import TrainConfig, train_run
from pairlib.framework_study import train_pairs
from pairlib.losses import loss_terms
from pairlib.models import ModelSpec, build_model
from pairlib.runner import Protocol, single_thread
from pairlib.train import run_grid

#: The course's 2-channel ConvNet (85k parameters) and a siamese ConvNet with auxiliary loss (52k).
MODELS = {
    "2-channel ConvNet": TrainConfig(
        ModelSpec(layout="merged", channels=(32, 64), kernels=(3, 3), pools=(2, 1), hidden=(64,))
    ),
    "siamese + aux": TrainConfig(
        ModelSpec(channels=(32, 64), kernels=(3, 3), pools=(2, 1), hidden=(32,)), aux_weight=1.0
    ),
}


def best_of(repeat: int, fn, *args) -> float:
    """The shortest wall time of ``fn(*args)`` over ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def matmul_roof(size: int = 2048, repeat: int = 5) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b  # warm-up
    seconds = best_of(repeat, lambda: [a @ b for _ in range(5)]) / 5
    return 2 * size**3 / seconds / 1e9


def run_flops(config: TrainConfig, n_pairs: int = 1000) -> float:
    """FLOPs of one full run: every minibatch's forward + backward, and the final evaluation."""
    pairs = normalize_pairs(generate_pair_sets(n_pairs, seed=0))
    model = build_model(config.model, config.target_outputs)
    x, y, c = pairs.train_input, pairs.train_target, pairs.train_classes
    batch = slice(0, config.batch_size)
    with FlopCounterMode(display=False) as counter:
        total, _, _ = loss_terms(config, model(x[batch]), y[batch], c[batch])
        total.backward()
    step = counter.get_total_flops()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(x)
    forward_all = counter.get_total_flops()
    steps = config.epochs * -(-n_pairs // config.batch_size)
    return step * steps + 2 * forward_all  # final evaluation on train and test


def one_run(config: TrainConfig, pairs, channels_last: bool) -> None:
    train_run(config, pairs, 0, device="cpu", record="final", channels_last=channels_last)


RUN_VARIANTS = (  # threads, channels_last, precision
    (2, False, "float32"),
    (2, True, "float32"),
    (1, True, "float32"),
    (2, True, "bfloat16"),
)


def rounds_sequential(config: TrainConfig, rounds: int) -> None:
    """The plain way: one process, torch's default threads, one round after another."""
    for seed in range(rounds):
        train_run(config, generate_pair_sets(config.n_pairs, seed=seed), seed, device="cpu", record="final")


def rounds_in_workers(config: TrainConfig, rounds: int, workers: int) -> None:
    """What the book does: run_grid, one thread per run, ``workers`` processes (pool warm)."""
    run_grid(
        {"bench": config},
        Protocol(rounds=rounds, device="cpu", workers=workers, progress=False),
        record="final",
        use_cache=False,
    )


def rounds_on_cluster(config: TrainConfig, rounds: int, workers: int) -> float:
    """The same rounds on a Dask LocalCluster of ``workers`` single-thread processes
    ($PAIRLIB_SCHEDULER pointed at it): what a reader with more machines would use."""
    from distributed import LocalCluster

    from pairlib import runner

    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        os.environ[runner.SCHEDULER_ENV] = cluster.scheduler_address
        try:
            rounds_in_workers(config, 2, workers)  # workers import torch once, as the local pool does
            return best_of(1, rounds_in_workers, config, rounds, workers)
        finally:
            runner.shutdown()
            del os.environ[runner.SCHEDULER_ENV]


def rounds_compiled(config: TrainConfig, rounds: int) -> None:
    """torch.compile of the model, recompiled never (same shapes), weights re-initialised per round."""
    import pairlib.fitting as fitting_module

    original = fitting_module.build_model
    fitting_module.build_model = lambda *a, **k: torch.compile(original(*a, **k))
    try:
        rounds_sequential(config, rounds)
    finally:
        fitting_module.build_model = original


def book_time(cache_dir: Path, *options: str) -> float:
    env = {**os.environ, "PAIRLIB_CACHE_DIR": str(cache_dir)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pairlib.build", *options], env=env, check=True)
    return time.perf_counter() - start


def book_times(cache_dir: Path) -> None:
    if cache_dir.exists():
        shutil.rmtree(cache_dir)
    cold = book_time(cache_dir, "--force", "--execute-only")
    warm = book_time(cache_dir, "--force", "--execute-only")
    rendered = book_time(cache_dir)  # every chapter current: checked, not executed
    print(
        f"\nbook execution, every chapter: cold cache {cold / 60:.1f} min, warm cache {warm / 60:.1f} min; "
        f"make book again (chapters current, HTML, PDF) {rendered / 60:.1f} min"
    )


def framework_against_torch(repeat: int) -> None:
    """Report 003's siamese-10, one 25-epoch run on one thread: torch against the mini
    framework (same pairs, initial weights and minibatch order), and the framework's profile."""
    config = get_config("003/siamese-10")
    pairs = generate_pair_sets(config.n_pairs, seed=0)
    with single_thread():
        torch_seconds = best_of(repeat, lambda: train_run(config, pairs, 0, device="cpu"))
        runs = [train_pairs(config, 0) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["seconds"])
    print(
        f"\nsiamese-10, one run on one thread: torch {torch_seconds:.2f} s, framework {best['seconds']:.2f} s"
    )
    loop = best["profile"]["training loop"]
    for stage, seconds in sorted(best["profile"].items(), key=lambda item: -item[1]):
        if stage != "training loop":
            print(
                f"  framework {stage:10s} {seconds:5.2f} s  {100 * seconds / loop:3.0f}% of the training loop"
            )


NUMERICS_RUN = """
import time
from pairlib.configs import get_config
from pairlib.data import generate_pair_sets
from pairlib.runner import single_thread
from pairlib.fitting import train_run
config, pairs = get_config("003/siamese-10"), generate_pair_sets(1000, seed=0)
with single_thread():
    train_run(config.replace(epochs=1), pairs, seed=0, device="cpu")  # warm-up
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        train_run(config, pairs, seed=0, device="cpu")
        times.append(time.perf_counter() - start)
print(min(times))
"""


def numerics_modes(repeat: int) -> None:
    """One 25-epoch run of report 003's siamese-10 on one thread, in each numerics mode
    (pairlib.numerics), each in a fresh process: the kernels read their settings at load."""
    times = {}
    for mode in ("native", "portable"):
        env = {**os.environ, "PAIRLIB_NUMERICS": mode}
        script = NUMERICS_RUN.replace("REPEAT", str(repeat))
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        times[mode] = float(done.stdout.strip().splitlines()[-1])
    print(
        f"\nnumerics modes, siamese-10, one run on one thread: native {times['native']:.2f} s, "
        f"portable {times['portable']:.2f} s (portable / native {times['portable'] / times['native']:.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rounds", type=int, default=10, help="rounds of the parallel-schemes comparison (default 10)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="timings per figure, the best one printed (default 3)"
    )
    parser.add_argument("--book", action="store_true", help="also time the book, cold and warm")
    parser.add_argument("--book-cache", type=Path, help="results cache of the cold run (emptied first)")
    parser.add_argument("--skip-runs", action="store_true", help="only the roof and the book")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs")
    roof = matmul_roof()
    print(f"roof: 2048x2048 float32 matmul {roof:.0f} GFLOP/s")
    pairs = generate_pair_sets(1000, seed=0)
    for name, config in ({} if args.skip_runs else MODELS).items():
        flops = run_flops(config)
        print(f"\n{name}: {config.parameter_count()} parameters, {flops / 1e9:.1f} GFLOP per 25-epoch run")
        for threads, layout, precision in RUN_VARIANTS:
            with single_thread() if threads == 1 else contextlib.nullcontext():
                seconds = best_of(args.repeat, one_run, config.replace(precision=precision), pairs, layout)
            rate = flops / seconds / 1e9
            label = (
                f"{threads} thread{'s' * (threads > 1)}, {'channels_last' if layout else 'NCHW'}, {precision}"
            )
            print(f"  one run, {label:34s} {seconds:5.2f} s  {rate:5.1f} GFLOP/s  {rate / roof:4.2f} of roof")
        sequential = best_of(1, rounds_sequential, config, args.rounds)
        print(f"  {args.rounds} rounds one after another: {sequential:.1f} s")
        rounds_in_workers(config, 2, 2)  # start the pool: its start-up is paid once a session
        parallel = best_of(1, rounds_in_workers, config, args.rounds, 2)
        print(
            f"  {args.rounds} rounds in 2 single-thread workers (the book's way): {parallel:.1f} s "
            f"(speed-up {sequential / parallel:.2f}x, {flops * args.rounds / parallel / 1e9:.0f} GFLOP/s, "
            f"{flops * args.rounds / parallel / 1e9 / roof:.2f} of roof)"
        )
        cluster = rounds_on_cluster(config, args.rounds, 2)
        print(
            f"  {args.rounds} rounds on a 2-worker Dask LocalCluster: {cluster:.1f} s "
            f"({cluster / parallel:.2f}x the local workers' time)"
        )
        compiled = best_of(1, rounds_compiled, config, args.rounds)
        print(
            f"  {args.rounds} rounds with torch.compile: {compiled:.1f} s "
            f"(speed-up {sequential / compiled:.2f}x, compilation included)"
        )
    if not args.skip_runs:
        framework_against_torch(args.repeat)
        numerics_modes(args.repeat)
    if args.book and args.book_cache:
        book_times(args.book_cache.resolve())
    elif args.book:
        with tempfile.TemporaryDirectory() as cache:
            book_times(Path(cache) / "runs")


if __name__ == "__main__":
    main()
