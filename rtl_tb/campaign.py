"""The campaign runner: every long campaign (the float32 sweep, the mutation campaigns, the
regression, pack generation) is cut into shards, and an Executor runs them: local processes
(``--jobs N``, the default) or a Dask cluster (``--scheduler tcp://HOST:PORT`` or
``--cluster local:N``; docs/distributed.md).

- A shard is a pure function of a small picklable description (a range of inputs, a bank of
  mutants, a bench run, a pack spec); the function is named by its module, so a worker imports
  the project to run it. Its result comes back to this process.
- ``Executor.map(fn, shards, progress)`` yields the results in shard order whatever order they
  finish in, so tables, verdict caches and packs are byte-identical whichever executor ran them;
  ``progress(i, result)`` is called as each finishes.
- Caches live here, on the client side: a campaign that caches (mutation verdicts) looks its
  shards up before it sends them and writes what comes back; a worker writes nothing the client
  reads.
- A worker that dies (killed, out of memory, a host lost) is no failure: Dask runs its shards
  again elsewhere (``distributed.scheduler.allowed-failures``: ALLOWED_FAILURES deaths per
  shard on a local cluster, the scheduler's own setting on a remote one). A shard that raises
  fails the campaign with its error.
- Dask is imported only when a cluster is asked for: the local path does not pay for it.

Every child process (simulators, compilers, bench workers) still goes through rtl_tb.process,
on whichever machine runs the shard; local worker processes die with this one.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import platform
import re
import shutil
import signal
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .process import die_with_parent

#: seconds to reach a scheduler before `--scheduler` fails (a refused port retries until then)
CONNECT_TIMEOUT_S = 5
#: seconds a scheduler may take to have its first worker
WORKER_WAIT_S = 30
#: worker deaths a shard survives on a local cluster before Dask gives up on it
ALLOWED_FAILURES = 3
#: packages whose versions must agree between this machine and every worker (the project's own
#: sources are compared by fingerprint())
PACKAGES = ("numpy", "ml_dtypes", "cocotb", "pytest", "hypothesis", "dask", "distributed")
#: Dask settings of a local cluster: ALLOWED_FAILURES; no MALLOC_TRIM_THRESHOLD_ in the workers'
#: environment (Dask sets 65536, which turns every large numpy array into fresh mmap pages: 35x
#: the page faults and +60 % system time on the float32 sweep); no statistical profiler sampling
#: every task's stack each 10 ms (a shard is one long call)
LOCAL_CONFIG = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                "distributed.worker.profile.enabled": False}
#: a LocalCluster's scheduler: no dashboard, and its HTTP endpoint (which Dask always starts) on a
#: free port of 127.0.0.1 rather than 8787, which another cluster may hold
LOCAL_HTTP = {"dashboard_address": "127.0.0.1:0", "scheduler_kwargs": {"dashboard": False}}
#: besides the simulator itself, what a Verilator build runs
VERILATOR_TOOLS = ("make", "g++")


class Executor:
    """Runs a campaign's shards. ``workers``: how many run at once (the jobs of the summaries)."""

    workers: int = 1
    label: str = ""

    def map(self, fn: Callable, shards: Iterable, progress: Callable | None = None) -> Iterator:
        """fn(shard) of each shard, yielded in shard order; ``progress(i, result)`` as shard i
        finishes (in finishing order)."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _in_order(futures: list, completed, progress) -> Iterator:
    """The results of ``futures`` in their order, ``progress`` in the order they finish."""
    index = {id(f): i for i, f in enumerate(futures)}
    done: dict[int, object] = {}
    following = 0
    for fut in completed(futures):
        i = index[id(fut)]
        done[i] = fut.result()
        if progress:
            progress(i, done[i])
        while following in done:
            yield done.pop(following)
            following += 1


def _worker_init() -> None:
    """A local worker process: it dies with this one, and leaves Ctrl-C to it (this process
    kills the workers, and their simulators die with them; no traceback from each worker)."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Local(Executor):
    """``jobs`` worker processes on this machine; with one job, the shards run in this process."""

    def __init__(self, jobs: int = 1):
        if jobs < 1:
            raise ValueError(f"--jobs must be >= 1, got {jobs}")
        self.workers = jobs
        self.label = f"{jobs} local process{'es' if jobs != 1 else ''}"

    def map(self, fn, shards, progress=None):
        shards = list(shards)
        if not shards:
            return
        if self.workers == 1:
            for i, shard in enumerate(shards):
                result = fn(shard)
                if progress:
                    progress(i, result)
                yield result
            return
        from concurrent.futures import ProcessPoolExecutor, as_completed

        pool = ProcessPoolExecutor(max_workers=min(self.workers, len(shards)), initializer=_worker_init)
        try:
            yield from _in_order([pool.submit(fn, s) for s in shards], as_completed, progress)
        except BaseException:                 # Ctrl-C, SIGTERM, a failed shard: kill, do not wait
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.kill()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()


class Dask(Executor):
    """Shards as Dask tasks on a distributed cluster (one task per shard, no retry on error: a
    shard that raises fails the campaign; a dead worker's shards are rerun by the scheduler)."""

    def __init__(self, client, cluster=None, label: str = ""):
        self.client, self.cluster, self.label = client, cluster, label
        self.workers = max(1, sum(client.nthreads().values()))

    def map(self, fn, shards, progress=None):
        from distributed import as_completed

        futures = self.client.map(fn, list(shards), pure=False)
        try:
            yield from _in_order(futures, lambda fs: as_completed(fs, loop=self.client.loop), progress)
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def parse_cluster(text: str) -> int:
    """N of ``--cluster local:N`` (N >= 1 worker processes); ValueError naming the flag."""
    m = re.fullmatch(r"local:(\d+)", text.strip())
    if not m or int(m.group(1)) < 1:
        raise ValueError(f"--cluster: expected local:N with N >= 1 worker processes, got {text!r}")
    return int(m.group(1))


def open_executor(jobs: int = 1, scheduler: str | None = None, cluster: str | None = None,
                  needs: tuple[str, ...] = ()) -> Executor:
    """The executor a campaign runs on: ``jobs`` local processes, or a Dask client of the running
    scheduler at ``scheduler``, or of a LocalCluster of ``cluster`` ("local:N") started here on
    127.0.0.1 (N single-threaded worker processes, no dashboard). A Dask executor first checks
    every worker (check_workers; ``needs``: the simulators its shards run). ValueError, one line,
    for a bad flag, an unreachable scheduler or a worker that cannot run the campaign."""
    if scheduler is not None and cluster is not None:
        raise ValueError("--scheduler and --cluster: give one (a running scheduler, or a local cluster to start)")
    if scheduler is None and cluster is None:
        return Local(jobs)
    n = parse_cluster(cluster) if cluster is not None else None
    if scheduler is not None and not re.fullmatch(r"(tcp://|tls://)?(\[[0-9a-fA-F:.]+\]|[^\s/:\[\]]+):\d{1,5}",
                                                  scheduler):
        raise ValueError(f"--scheduler: expected tcp://HOST:PORT (a running Dask scheduler), got {scheduler!r}")
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise ValueError(f"--scheduler/--cluster need Dask: pip install distributed ({err})") from None
    _quiet()
    if n is not None:
        try:
            with dask.config.set(LOCAL_CONFIG):
                local = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                     silence_logs=logging.CRITICAL, **LOCAL_HTTP)
        except Exception as err:                # no port, no process: the machine's limits
            raise ValueError(f"--cluster {cluster}: cannot start a local Dask cluster ({_one_line(err)})") from None
        ex = Dask(Client(local, set_as_default=False), local, f"a local Dask cluster of {n} workers")
    else:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except Exception as err:                # OSError (refused, timed out), ValueError (the address)
            raise ValueError(f"--scheduler {scheduler}: cannot reach a Dask scheduler there within "
                             f"{CONNECT_TIMEOUT_S} s ({_one_line(err)})") from None
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except Exception:
            client.close()
            raise ValueError(f"--scheduler {scheduler}: no worker joined it within {WORKER_WAIT_S} s "
                             f"(start 'dask worker {scheduler}' on each host)") from None
        ex = Dask(client, None, f"the Dask scheduler {scheduler}")
    try:
        check_workers(ex.client, needs)
    except BaseException:
        ex.close()
        raise
    return ex


def _quiet() -> None:
    """Dask's own log lines (a worker restarted, a broadcast failed) stay out of fp4ref's output:
    fp4ref reports what matters in one line of its own."""
    logging.getLogger("distributed").setLevel(logging.CRITICAL)


def _one_line(err: BaseException) -> str:
    """An error as one line; a worker's error, which Dask hands back as the text
    ``Name("message")``, as ``Name: message``."""
    text = " ".join(str(err).split()) or type(err).__name__
    m = re.fullmatch(r"""(\w+)\((['"])(.*)\2\)""", text)
    return (f"{m.group(1)}: {m.group(3)}" if m else text)[:200]


# ------------------------------------------------------------------------ checks of the workers

def fingerprint() -> str:
    """sha256 of the project's sources as this machine has them: every .py file of the
    repository's folders (tests included: the Python mutation campaign runs them) and every file
    under rtl/. Workers with another fingerprint would compute other verdicts."""
    import fp4ref
    from fp4ref import paths

    base = paths.checkout() or Path(fp4ref.__file__).resolve().parent    # a checkout, or the wheel's fp4ref/
    skip = lambda p: any(s.startswith(".") or s in ("build", "__pycache__") for s in p.relative_to(base).parts)  # noqa: E731
    files = sorted(p for p in base.rglob("*.py") if not skip(p))
    files += sorted(p for p in paths.rtl().rglob("*") if p.is_file() and not skip(p))
    h = hashlib.sha256()
    for p in files:
        h.update(str(p.relative_to(base)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def probe(needs: tuple[str, ...] = ()) -> dict:
    """What a worker has (run on each worker, and here to compare): the project's fingerprint,
    Python's and PACKAGES' versions, and for each simulator in ``needs`` its version banner or
    why it cannot run."""
    from .sims import SimulatorMissing, version

    def pkg(name):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    sims = {}
    for sim in needs:
        try:
            sims[sim] = (version(sim), None)
            if sim == "verilator":
                lacking = [t for t in VERILATOR_TOOLS if shutil.which(t) is None]
                if lacking:
                    sims[sim] = (None, f"Verilator builds need {' and '.join(lacking)} on PATH")
        except SimulatorMissing as err:
            sims[sim] = (None, str(err))
    return {"fingerprint": fingerprint(), "python": platform.python_version(),
            "packages": {p: pkg(p) for p in PACKAGES}, "sims": sims, "host": platform.node()}


def check_workers(client, needs: tuple[str, ...] = ()) -> None:
    """Run probe() on every worker and compare with this machine: ValueError, one line naming
    the worker and what it lacks, unless each can import the project, has the same sources and
    package versions, and has the simulators ``needs`` (the same versions)."""
    here = probe(needs)
    found = client.run(probe, needs, on_error="return")
    for addr, got in sorted(found.items()):
        if isinstance(got, BaseException):      # the probe could not even be unpickled or run
            raise ValueError(f"Dask worker {addr} cannot run fp4ref ({_one_line(got)}): install the project "
                             f"and its packages on every worker (docs/distributed.md)")
        for sim, (ver, why) in got["sims"].items():
            if why:
                raise ValueError(f"Dask worker {addr} ({got['host']}) cannot run {sim}: {why}")
            if ver != here["sims"][sim][0]:
                raise ValueError(f"Dask worker {addr} ({got['host']}) has {ver!r}, this machine "
                                 f"{here['sims'][sim][0]!r}: install the same simulator versions everywhere")
        if got["python"] != here["python"] or got["packages"] != here["packages"]:
            diff = [f"{k} {got['packages'][k]} (here {v})" for k, v in here["packages"].items()
                    if got["packages"][k] != v]
            if got["python"] != here["python"]:
                diff.insert(0, f"Python {got['python']} (here {here['python']})")
            raise ValueError(f"Dask worker {addr} ({got['host']}) runs other versions: {', '.join(diff)}")
        if got["fingerprint"] != here["fingerprint"]:
            raise ValueError(f"Dask worker {addr} ({got['host']}) has other fp4ref sources than this machine "
                             "(its .py files or rtl/ differ): install the same version on every worker")


# ----------------------------------------------- campaigns whose per-shard function lives below

def float32_sweep(shards: list[tuple], executor: Executor, progress=None):
    """One float32 sweep (emu.exhaustive.shards: a range cut up) on the executor: the combined
    Sweep. ``progress(inputs)`` as each shard finishes."""
    from fp4ref.emu.exhaustive import combine, sweep_shard

    return combine(list(executor.map(sweep_shard, shards,
                                     progress and (lambda i, r: progress(r.inputs)))))


def float32_coverage(runs: list[tuple[str, str, str]], executor: Executor, done=None) -> dict:
    """Each run of ``runs`` (emu.exhaustive.coverage_runs) over all 2^32 inputs, one shard each:
    {run: Sweep}. ``done(run, sweep)`` as each finishes."""
    from fp4ref.emu.exhaustive import ALL, CHUNK_BITS, sweep_shard

    shards = [(f, m, ref, 0, ALL, CHUNK_BITS) for f, m, ref in runs]
    results = executor.map(sweep_shard, shards, done and (lambda i, r: done(runs[i], r)))
    return dict(zip(runs, results))


def write_packs(specs: list, root: Path, executor: Executor, progress=None) -> int:
    """Each pack of ``specs`` rendered by a shard (golden.pack.render: the files as bytes) and
    written here to root/<spec.name>, atomically, in spec order; the number of vectors.
    ``progress(1)`` after each pack is written."""
    from fp4ref.golden import manifest
    from fp4ref.golden.atomic import write_folder
    from fp4ref.golden.pack import render

    root, vectors = Path(root), 0
    for spec, files in zip(specs, executor.map(render, specs)):
        write_folder(root / spec.name, files)
        vectors += manifest.load(root / spec.name)["count"]
        if progress:
            progress(1)
    return vectors
