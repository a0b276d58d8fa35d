"""Monte Carlo campaigns: many seeded runs of one scenario, in parallel, resumable.

Seeds
-----
A campaign has one root seed. Trial ``i`` runs with the integer seed::

    child = numpy.random.SeedSequence(root_seed).spawn(trials)[i]
    seed_i = int(child.generate_state(1, numpy.uint64)[0])

(:func:`trial_seed` computes the same child directly as
``SeedSequence(root_seed, spawn_key=(i,))``, so a trial's seed does not depend on how many
trials the campaign has.) The engine derives all its random streams from ``seed_i``, so a
trial's numbers are the same whichever backend runs it: the calling process
(``workers <= 1``), local processes (``workers=K``) or a Dask cluster (``scheduler=ADDRESS``).

Storage
-------
With ``out_dir``, finished trials are written as they complete, in chunks, to
``out_dir/trials/part-XXXX.parquet`` (written under a temporary name, then renamed, so a part
is either complete or absent), and ``out_dir/campaign.json`` records the scenario (its full
spec), the root seed and the trials requested. ``resume=True`` reads the parts, skips the
trial indices already done and runs the rest with the same seeds: a killed campaign loses at
most the trials finished since the last part was written and redoes none.

Workers
-------
A worker runs its trials in blocks of ``lanes`` trials in lockstep
(:class:`~hoplon.sim.batch.BatchEngine`), which shares the clock and the numerical work
between them; each trial's numbers are still those of its seed alone. Each worker process
compiles the scenario's :class:`~hoplon.sim.World` once (cached by the
spec's JSON) and reuses it for every trial it runs. Local workers are started with the
``spawn`` method; numba kernels come from numba's on-disk cache.

One trial's row (columns of :attr:`Campaign.trials`): ``trial``, ``seed``, ``threats``,
``intercepted``, ``leakers``, ``in_flight_at_end``, ``interceptors_fired``,
``interceptors_remote`` (fired on a partner's track), ``interceptors_battery_<key>``,
``interceptors_force_<key>``, ``interceptors_type_<interceptor type>``, ``value_lost``,
``assets_hit``, ``asset_<key>_survived``, ``first_detection_s``, ``first_launch_s``,
``first_intercept_s`` (seconds since the scenario epoch, NaN when it did not happen) and
``wall_s`` (the trial's run time on its worker).
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hoplon.errors import InputError
from hoplon.scenario.schema import ScenarioSpec

#: Version of the on-disk campaign format.
FORMAT = 1
#: Rows written per Parquet part at most.
CHUNK_ROWS = 256
#: A part is written at least this often while trials finish [s].
FLUSH_INTERVAL_S = 5.0
#: Environment variables that set the threads of numba and the BLAS libraries.
_THREAD_VARIABLES = (
    "NUMBA_NUM_THREADS",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
)
#: How long to try reaching a Dask scheduler [s].
DASK_CONNECT_TIMEOUT_S = 10.0


def trial_seed(root_seed: int, index: int) -> int:
    """The integer seed of trial ``index`` of a campaign with ``root_seed`` (see module doc)."""
    child = np.random.SeedSequence(root_seed, spawn_key=(index,))
    return int(child.generate_state(1, np.uint64)[0])


def trial_seeds(root_seed: int, trials: int) -> list[int]:
    """Seeds of trials ``0..trials-1``: ``SeedSequence(root_seed).spawn(trials)``, as ints."""
    return [int(c.generate_state(1, np.uint64)[0]) for c in _spawn(root_seed, trials)]


def _spawn(root_seed: int, trials: int) -> list[np.random.SeedSequence]:
    return np.random.SeedSequence(root_seed).spawn(trials)


def spec_json(spec: ScenarioSpec) -> str:
    """Canonical JSON of a spec (the key of the per-process world cache)."""
    return json.dumps(spec.model_dump(mode="json", by_alias=True), sort_keys=True)


def spec_hash(spec: ScenarioSpec) -> str:
    return hashlib.sha256(spec_json(spec).encode()).hexdigest()[:16]


# ----------------------------------------------------------------------------- one trial

_WORLDS: dict[str, Any] = {}


def _world(spec_text: str) -> Any:
    """The compiled world of a spec, compiled once per process."""
    world = _WORLDS.get(spec_text)
    if world is None:
        from hoplon.sim import compile_world

        if len(_WORLDS) >= 8:
            _WORLDS.clear()
        world = compile_world(ScenarioSpec.model_validate(json.loads(spec_text)))
        _WORLDS[spec_text] = world
    return world


def trial_row(result: Any, index: int, seed: int, world: Any) -> dict[str, Any]:
    """Flatten one :class:`~hoplon.sim.RunResult` into a campaign row (plain Python values).

    A result fresh from the engine gives the row from its plain columns
    (:meth:`~hoplon.sim.RunResult.plain_columns`; no DataFrame is made); any other from its
    tables. The two give the same row.
    """
    s = result.summary
    row: dict[str, Any] = {
        "trial": int(index),
        "seed": int(seed),
        "threats": int(s["threats"]),
        "intercepted": int(s["intercepted"]),
        "leakers": int(s["leakers"]),
        "in_flight_at_end": int(s.get("in_flight_at_end", 0)),
        "interceptors_fired": int(s["interceptors_fired"]),
        "interceptors_remote": int(s.get("interceptors_on_remote_tracks", 0)),
    }
    for key, n in s["interceptors_by_battery"].items():
        row[f"interceptors_battery_{key}"] = int(n)
    for key, n in s["interceptors_by_force"].items():
        row[f"interceptors_force_{key}"] = int(n)
    plain = getattr(result, "plain_columns", None)
    columns = plain() if plain is not None else None
    if columns is not None:
        by_type, survived, first = _row_figures_plain(columns)
    else:
        by_type, survived, first = _row_figures(result)
    types = sorted({b.interceptor.name for b in world.batteries} if world else set())
    for name in sorted(set(types) | set(by_type)):
        row[f"interceptors_type_{name}"] = int(by_type.get(name, 0))
    row["value_lost"] = float(s["value_lost"])
    row["assets_hit"] = len(s["assets_hit"])
    for asset, ok in survived:
        row[f"asset_{asset}_survived"] = bool(ok)
    row["first_detection_s"], row["first_launch_s"], row["first_intercept_s"] = first
    return row


def _row_figures(result: Any) -> tuple[dict[str, int], list[tuple[Any, Any]], tuple[float, ...]]:
    """From a result's tables: interceptors fired by type, (asset, survived) pairs, and the
    first detection, launch and intercept times [s] (NaN: none)."""
    shots = result.shots
    by_type = shots["interceptor"].value_counts().to_dict() if len(shots) else {}
    survived = [(a.asset, a.survived) for a in result.assets.itertuples()]
    first_launch = float(shots["launch_s"].min()) if len(shots) else math.nan
    th = result.threats
    hit = th[th["outcome"] == "intercepted"] if len(th) else th
    first_intercept = float(hit["intercept_s"].min()) if len(hit) else math.nan
    return by_type, survived, (_first_detection(th), first_launch, first_intercept)


def _row_figures_plain(
    columns: dict[str, dict[str, Any] | None],
) -> tuple[dict[str, int], list[tuple[Any, Any]], tuple[float, ...]]:
    """:func:`_row_figures` from the plain columns the tables would be made of (the same
    values: the same reductions over the same numbers in the same order)."""
    shots, assets, th = columns["shots"], columns["assets"], columns["threats"]
    if shots is not None and len(shots["shot"]):
        by_type: dict[str, int] = Counter(shots["interceptor"])
        first_launch = float(np.min(np.asarray(shots["launch_s"], dtype=float)))
    else:
        by_type, first_launch = {}, math.nan
    survived = list(zip(assets["asset"], assets["survived"], strict=True)) if assets else []
    first_detection = first_intercept = math.nan
    if th is not None and len(th["threat"]):
        # the frame's float block of these columns is (columns, threats), row by row
        cols = [v for k, v in th.items() if k.startswith("first_detection_s")]
        if cols:
            v = np.array(cols, dtype=float)
            if np.isfinite(v).any():
                first_detection = float(np.nanmin(v))
        icpt = np.asarray(th["intercept_s"], dtype=float)
        hit = icpt[~np.isnan(icpt)]  # (exactly the intercepted threats')
        if len(hit):
            first_intercept = float(np.min(hit))
    return by_type, survived, (first_detection, first_launch, first_intercept)


def _first_detection(threats: Any) -> float:
    cols = [c for c in threats.columns if c.startswith("first_detection_s")]
    if not cols or not len(threats):
        return math.nan
    v = threats[cols].to_numpy(dtype=float)
    return float(np.nanmin(v)) if np.isfinite(v).any() else math.nan


def run_trial(spec_text: str, index: int, seed: int) -> dict[str, Any]:
    """Run one trial in this process (world from the per-process cache); return its row."""
    from hoplon.sim import run

    world = _world(spec_text)
    t0 = time.perf_counter()
    result = run(world, seed)
    row = trial_row(result, index, seed, world)
    row["wall_s"] = time.perf_counter() - t0
    return row


def run_trials(spec_text: str, indices: list[int], seeds: list[int]) -> list[dict[str, Any]]:
    """Run a block of trials in lockstep in this process
    (:class:`~hoplon.sim.batch.BatchEngine`); return their rows.

    Each trial's row is the one :func:`run_trial` gives for it (the batch engine reproduces
    the single-trial engine lane by lane); ``wall_s`` is the block's time shared equally.
    """
    from hoplon.sim.batch import BatchEngine

    world = _world(spec_text)
    t0 = time.perf_counter()
    batch = BatchEngine(world, seeds)
    results = batch.run()
    rows = [
        trial_row(result, index, seed, world)
        for result, index, seed in zip(results, indices, seeds, strict=True)
    ]
    del results
    batch.close()  # (freed by reference counting, no collection needed)
    del batch
    share = (time.perf_counter() - t0) / len(rows)
    for row in rows:
        row["wall_s"] = share
    return rows


def _blocks(todo: list[int], n_workers: int, lanes: int) -> list[list[int]]:
    """Trial indices in blocks of at most ``lanes``, at least one block per worker."""
    if not todo:
        return []
    size = max(1, min(lanes, math.ceil(len(todo) / max(n_workers, 1))))
    return [todo[i : i + size] for i in range(0, len(todo), size)]


def _init_worker(spec_text: str) -> None:  # pragma: no cover - runs in worker processes
    _world(spec_text)
    # Move everything alive now (the compiled world, numpy, scipy, numba, ...) out of the
    # collector's reach: a full collection would otherwise walk these ~190,000 objects each
    # time (0.1-0.15 s; once after every block). Worker processes only: a user's process
    # keeps its objects collectable.
    gc.collect()
    gc.freeze()


def _run_block_local(
    spec_text: str, indices: list[int], seeds: list[int]
) -> list[dict[str, Any]]:  # pragma: no cover - runs in worker processes
    return run_trials(spec_text, indices, seeds)


# ----------------------------------------------------------------------------- campaign


@dataclass
class Campaign:
    """A campaign's trials (one row each, sorted by trial) and how they were run."""

    spec: ScenarioSpec
    seed: int
    requested: int
    trials: Any
    out_dir: Path | None = None
    backend: str = "serial"
    workers: int = 1
    wall_s: float = math.nan
    ran_this_call: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return len(self.trials) >= self.requested

    @property
    def trials_per_s(self) -> float:
        if not self.ran_this_call or not self.wall_s > 0:
            return math.nan
        return self.ran_this_call / self.wall_s

    def summary(self, confidence: float = 0.95) -> dict[str, Any]:
        """Statistics with confidence intervals (:func:`hoplon.analysis.stats.summarize`)."""
        from hoplon.analysis.stats import summarize

        return summarize(self.trials, confidence)

    @classmethod
    def load(cls, out_dir: str | Path) -> Campaign:
        """Read a campaign directory written by :func:`run_campaign`."""
        out = Path(out_dir)
        meta = _read_meta(out)
        spec = ScenarioSpec.model_validate(meta["spec"])
        return cls(spec, int(meta["seed"]), int(meta["trials"]), _read_parts(out), out, meta=meta)


def _read_meta(out: Path) -> dict[str, Any]:
    path = out / "campaign.json"
    if not path.exists():
        raise InputError("--out", f"{out} holds no campaign (no campaign.json)")
    try:
        meta = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"not valid JSON ({exc.msg})") from None
    if meta.get("format") != FORMAT:
        raise InputError(str(path), f"unknown campaign format {meta.get('format')!r}", "1")
    return meta


def _read_parts(out: Path) -> Any:
    import pandas as pd

    parts = sorted((out / "trials").glob("part-*.parquet"))
    if not parts:
        return pd.DataFrame(columns=["trial", "seed"])
    df = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    df = df.drop_duplicates("trial", keep="first")
    return df.sort_values("trial", kind="stable").reset_index(drop=True)


def _frame(rows: list[dict[str, Any]]) -> Any:
    """Rows as a DataFrame with stable dtypes (``seed`` is uint64)."""
    import pandas as pd

    df = pd.DataFrame(rows) if rows else pd.DataFrame(columns=["trial", "seed"])
    if len(df):
        df["seed"] = df["seed"].astype("uint64")
    return df


class _PartWriter:
    """Buffers finished rows and writes them as atomic Parquet parts."""

    def __init__(self, out: Path | None) -> None:
        self.out = out
        self.buffer: list[dict[str, Any]] = []
        self.last = time.monotonic()
        self.next_part = 0
        if out is not None:
            tdir = out / "trials"
            tdir.mkdir(parents=True, exist_ok=True)
            for tmp in tdir.glob("*.tmp"):  # a part being written when a run was killed
                tmp.unlink()
            numbers = [int(p.stem.split("-")[1]) for p in tdir.glob("part-*.parquet")]
            self.next_part = max(numbers, default=-1) + 1

    def add(self, row: dict[str, Any]) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= CHUNK_ROWS or time.monotonic() - self.last >= FLUSH_INTERVAL_S:
            self.flush()

    def flush(self) -> None:
        self.last = time.monotonic()
        if self.out is None or not self.buffer:
            return

        path = self.out / "trials" / f"part-{self.next_part:04d}.parquet"
        tmp = path.with_name(path.name + ".tmp")
        _frame(self.buffer).to_parquet(tmp, index=False)
        os.replace(tmp, path)
        self.next_part += 1
        self.buffer = []


def run_campaign(
    spec: ScenarioSpec,
    trials: int,
    seed: int = 0,
    workers: int | None = None,
    scheduler: Any = None,
    out_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool | Callable[[int, int], None] = True,
    on_trial: Callable[[dict[str, Any]], None] | None = None,
    lanes: int | None = None,
) -> Campaign:
    """Run ``trials`` Monte Carlo trials of ``spec`` (see the module docstring).

    Parameters
    ----------
    spec : ScenarioSpec or path
        The scenario (a spec, a scenario file or a packaged example name).
    trials : int
        Trials requested (>= 1).
    seed : int
        Root seed; trial ``i`` runs with :func:`trial_seed` ``(seed, i)``.
    workers : int, optional
        Local worker processes; ``None`` uses every CPU, ``0`` or ``1`` runs in this process.
        Ignored when ``scheduler`` is given.
    scheduler : str or distributed.Client, optional
        Address of a Dask scheduler (``tcp://host:8786``), or a connected client: run the
        trials on that cluster. Needs the ``dask`` extra.
    out_dir : path, optional
        Write ``campaign.json`` and the finished trials (Parquet parts) here as they finish.
    resume : bool
        Continue the campaign in ``out_dir``: trials already written are not run again.
        ``spec`` and ``seed`` must be those of the stored campaign.
    progress : bool or callable
        Show a progress bar (rich) with rate and time left; a callable gets
        ``(done, total)`` after each trial instead.
    on_trial : callable, optional
        Called in this process with each finished row (after it is queued for writing).
        An exception raised there stops the campaign: trials finished so far are written.
    lanes : int, optional
        Trials a worker runs together in lockstep (:class:`~hoplon.sim.batch.BatchEngine`;
        default :data:`~hoplon.sim.batch.DEFAULT_LANES`; 1 runs them one by one). Every
        trial's numbers are the same whatever ``lanes`` is.

    Returns
    -------
    Campaign
        With every trial done (those stored before plus those run now).
    """
    import pandas as pd

    if not isinstance(spec, ScenarioSpec):
        from hoplon.scenario import load

        spec = load(spec)
    if not isinstance(trials, int) or trials < 1:
        raise InputError("--trials", f"{trials!r} is not a positive integer", "an integer >= 1")
    if seed < 0:
        raise InputError("--seed", f"{seed} is negative", "an integer >= 0")
    if workers is not None and workers < 0:
        raise InputError("--workers", f"{workers} is negative", "an integer >= 0")
    if lanes is None:
        from hoplon.sim.batch import DEFAULT_LANES

        lanes = DEFAULT_LANES
    if not isinstance(lanes, int) or lanes < 1:
        raise InputError("--lanes", f"{lanes!r} is not a positive integer", "an integer >= 1")
    out = Path(out_dir) if out_dir is not None else None
    if resume and out is None:
        raise InputError("--resume", "needs the campaign directory", "--out DIR")
    done_df = _stored_trials_of(out, spec, seed, resume) if out is not None else _frame([])
    client, own = _connect(scheduler) if scheduler is not None else (None, False)
    try:
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            _write_meta(out, spec, seed, max(trials, _stored_trials(out)))
        done = set(int(t) for t in done_df["trial"]) if len(done_df) else set()
        todo = [i for i in range(trials) if i not in done]
        seeds = {i: trial_seed(seed, i) for i in todo}
        text = spec_json(spec)

        if client is not None:
            backend, n_workers = "dask", len(client.scheduler_info().get("workers", {}))
        elif workers is None:
            backend, n_workers = "processes", _cpu_count()
        else:
            backend, n_workers = ("serial", 1) if workers <= 1 else ("processes", workers)
        if backend == "processes":
            n_workers = min(n_workers, max(len(todo), 1))
            if n_workers <= 1:
                backend, n_workers = "serial", 1

        writer = _PartWriter(out)
        rows: list[dict[str, Any]] = []
        bar = _progress(progress, len(done), trials)
        t0 = time.perf_counter()
        try:
            blocks = _blocks(todo, n_workers, lanes)
            if backend == "serial":
                results: Iterator[dict[str, Any]] = _serial(text, blocks, seeds)
            elif backend == "processes":
                results = _processes(text, blocks, seeds, n_workers)
            else:
                results = _dask(client, text, blocks, seeds)
            for row in results:
                rows.append(row)
                writer.add(row)
                bar(len(done) + len(rows), trials)
                if on_trial is not None:
                    on_trial(row)
        finally:
            writer.flush()
            bar.close()
    finally:
        if own:
            client.close()
    wall = time.perf_counter() - t0
    new = _frame(rows)
    parts = [d for d in (done_df, new) if len(d)]
    table = pd.concat(parts, ignore_index=True) if parts else new
    if len(table):
        table = table[table["trial"] < trials]
        table = table.sort_values("trial", kind="stable").reset_index(drop=True)
    return Campaign(
        spec,
        seed,
        trials,
        table,
        out,
        backend,
        n_workers,
        wall,
        len(rows),
        meta={"scenario": spec.name},
    )


def _stored_trials_of(out: Path, spec: ScenarioSpec, seed: int, resume: bool) -> Any:
    """Trials already stored in ``out`` (checked to be of this campaign when resuming)."""
    if not (out / "campaign.json").exists():
        return _frame([])
    if not resume:
        raise InputError(
            "--out", f"{out} already holds a campaign", "--resume, or another directory"
        )
    meta = _read_meta(out)
    if meta["spec_hash"] != spec_hash(spec) or int(meta["seed"]) != seed:
        raise InputError(
            "--resume",
            f"{out} holds a campaign of another scenario or seed "
            f"({meta.get('scenario')!r}, seed {meta['seed']})",
            "the same scenario, --set values and --seed, or another --out",
        )
    return _read_parts(out)


def _cpu_count() -> int:
    fn = getattr(os, "process_cpu_count", None)
    return int((fn() if fn else os.cpu_count()) or 1)


def _stored_trials(out: Path) -> int:
    try:
        return int(json.loads((out / "campaign.json").read_text())["trials"])
    except (OSError, ValueError, KeyError):
        return 0


def _write_meta(out: Path, spec: ScenarioSpec, seed: int, trials: int) -> None:
    from hoplon import __version__

    meta = {
        "format": FORMAT,
        "scenario": spec.name,
        "seed": int(seed),
        "trials": int(trials),
        "seeds": "trial i: int(SeedSequence(seed, spawn_key=(i,)).generate_state(1, uint64)[0])",
        "spec_hash": spec_hash(spec),
        "hoplon_version": __version__,
        "spec": spec.model_dump(mode="json", by_alias=True),
    }
    tmp = out / "campaign.json.tmp"
    tmp.write_text(json.dumps(meta, indent=2))
    os.replace(tmp, out / "campaign.json")


# ----------------------------------------------------------------------------- backends


def _serial(text: str, blocks: list[list[int]], seeds: dict[int, int]) -> Iterator[dict[str, Any]]:
    for block in blocks:
        yield from run_trials(text, block, [seeds[i] for i in block])


def _processes(
    text: str, blocks: list[list[int]], seeds: dict[int, int], n_workers: int
) -> Iterator[dict[str, Any]]:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    ctx = mp.get_context("spawn")
    # the workers are the parallelism: one thread each for numba and BLAS (set while the
    # pool spawns its processes, which inherit them), or two workers on two cores would
    # oversubscribe them
    saved = {name: os.environ.get(name) for name in _THREAD_VARIABLES}
    os.environ.update(dict.fromkeys(_THREAD_VARIABLES, "1"))
    pool = ProcessPoolExecutor(
        max_workers=n_workers, mp_context=ctx, initializer=_init_worker, initargs=(text,)
    )
    pending: set[Any] = set()
    queue = iter(blocks)
    limit = 2 * n_workers  # bounded in flight: a stopped campaign leaves little queued work
    try:
        while True:
            while len(pending) < limit:
                block = next(queue, None)
                if block is None:
                    break
                pending.add(pool.submit(_run_block_local, text, block, [seeds[i] for i in block]))
            if not pending:
                break
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                yield from fut.result()
    finally:
        for fut in pending:
            fut.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _dask(
    client: Any, text: str, blocks: list[list[int]], seeds: dict[int, int]
) -> Iterator[dict[str, Any]]:
    """Rows computed on a Dask cluster, as blocks complete (each worker caches its world)."""
    from distributed import as_completed

    futures = [
        client.submit(run_trials, text, block, [seeds[i] for i in block], pure=False)
        for block in blocks
    ]
    try:
        for fut in as_completed(futures):
            yield from fut.result()
    finally:
        client.cancel([f for f in futures if not f.done()])


def _connect(scheduler: Any) -> tuple[Any, bool]:
    """A Dask client for ``scheduler`` (an address or a client) and whether we own it."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError(
            "--scheduler",
            "running on a Dask cluster needs dask.distributed",
            "pip install 'hoplon[dask]'",
        ) from None
    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        return Client(scheduler, timeout=DASK_CONNECT_TIMEOUT_S), True
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(
            "--scheduler",
            f"cannot reach a Dask scheduler at {scheduler!r} ({exc})",
            "tcp://HOST:PORT of a running scheduler",
        ) from None


# ----------------------------------------------------------------------------- progress


class _NoProgress:
    def __call__(self, done: int, total: int) -> None:
        pass

    def close(self) -> None:
        pass


class _CallbackProgress(_NoProgress):
    def __init__(self, fn: Callable[[int, int], None]) -> None:
        self.fn = fn

    def __call__(self, done: int, total: int) -> None:
        self.fn(done, total)


class _RichProgress(_NoProgress):
    """A rich progress bar on stderr: trials done, rate and time left."""

    def __init__(self, done: int, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.start_done = done
        self.t0 = time.perf_counter()
        self.bar = Progress(
            TextColumn("[bold]trials"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.task = self.bar.add_task("trials", total=total, completed=done, rate="")
        self.bar.start()

    def __call__(self, done: int, total: int) -> None:
        dt = time.perf_counter() - self.t0
        rate = (done - self.start_done) / dt if dt > 0 else 0.0
        self.bar.update(self.task, completed=done, rate=f"{rate:.2f} trials/s")

    def close(self) -> None:
        self.bar.stop()


def _progress(progress: bool | Callable[[int, int], None], done: int, total: int) -> Any:
    if callable(progress):
        return _CallbackProgress(progress)
    if progress:
        return _RichProgress(done, total)
    return _NoProgress()
