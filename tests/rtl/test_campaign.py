"""Campaigns past one machine (rtl_tb/campaign.py, docs/distributed.md): a float32 sweep's
shard range, a small mutation campaign, a regress subset and pack generation run on a Dask
LocalCluster of 2 workers on 127.0.0.1 give exactly the local run's results; a worker killed
mid-campaign changes nothing; a worker that cannot run the campaign is named in one line."""
import functools
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fp4ref.emu.exhaustive import shards
from fp4ref.rtl_tb import mutation as mu
from fp4ref.rtl_tb import regress as rg
from fp4ref.rtl_tb.campaign import Dask, Local, float32_sweep, open_executor, write_packs


def need_icarus():
    if shutil.which("iverilog") is None:
        pytest.fail("Icarus Verilog is not installed: run `make setup`")


@pytest.fixture(scope="module")
def cluster():
    """One LocalCluster of 2 single-threaded worker processes for the module's tests."""
    need_icarus()
    with open_executor(cluster="local:2", needs=("icarus",)) as ex:
        yield ex


def _sweeps():
    return (shards("e2m1", "rne", "ml_dtypes", 0x3F000000, 0x3F400000, 16)
            + shards("e4m3", "rtz", "grid", 0xBF000000, 0xBF200000, 16))


def _facts(sweep):
    return sweep.fmt, sweep.rounding, sweep.reference, sweep.inputs, sweep.mismatches, sweep.shown


def test_a_float32_shard_range_gives_the_local_result(cluster):
    ml, grid = _sweeps()[:16], _sweeps()[16:]
    assert len(ml) == 16 and len(grid) == 16
    for parts in (ml, grid):
        local = float32_sweep(parts, Local(1))
        assert _facts(float32_sweep(parts, cluster)) == _facts(local)
        assert local.inputs == parts[-1][4] - parts[0][3] and local.mismatches == 0


def test_the_coverage_matrix_runs_one_shard_per_run_and_prints_its_table(monkeypatch, capsys):
    """`fp4ref exhaustive --all` on a shrunken range: one shard per run, the table in run order."""
    from fp4ref.emu import exhaustive
    from fp4ref.cli.exhaustive import coverage

    runs = [("e2m1", "rne", "ml_dtypes"), ("e2m1", "rdn", "grid"), ("e4m3", "rne", "grid")]
    monkeypatch.setattr(exhaustive, "ALL", 1 << 20)
    monkeypatch.setattr(exhaustive, "CHUNK_BITS", 16)
    monkeypatch.setattr(exhaustive, "coverage_runs", lambda: runs)
    assert coverage(Local(1)) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| e")]
    assert [tuple(r.split(" | ")[:2]) for r in rows] == [("| e2m1", "rne"), ("| e2m1", "rdn"), ("| e4m3", "rne")]
    assert all(" | 0 | " in r for r in rows)


def _die_once(flag, fn, shard):
    """The first shard to run kills its worker process (as an out-of-memory kill would)."""
    try:
        os.close(os.open(flag, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return fn(shard)
    os._exit(137)


class Killing(Dask):
    """The fixture's cluster, with one worker killed by the campaign's first shard."""

    def __init__(self, ex, flag):
        self.client, self.cluster, self.workers, self.label, self.flag = ex.client, None, ex.workers, ex.label, flag

    def map(self, fn, shards, progress=None):
        return super().map(functools.partial(_die_once, str(self.flag), fn), shards, progress)

    def close(self):
        pass


def test_a_worker_killed_mid_campaign_changes_nothing(cluster, tmp_path):
    parts = _sweeps()
    before = set(cluster.client.run(os.getpid).values())
    got = float32_sweep(parts, Killing(cluster, tmp_path / "killed"))
    assert (tmp_path / "killed").exists()                       # a worker did die
    assert _facts(got) == _facts(float32_sweep(parts, Local(1)))
    cluster.client.wait_for_workers(2, timeout=60)              # the nanny restarts it
    assert set(cluster.client.run(os.getpid).values()) != before


def test_a_small_mutation_campaign_gives_the_local_verdicts_and_cache(cluster, tmp_path):
    need_icarus()
    ids = ["fp4_lut_nf4:stuck0:int_o[3]",               # survives: NF4 has no integer mapping
           "fp4_lut_nf4:stuck1:f32_o[13]"]              # killed
    root = tmp_path / "packs"
    runs = {}
    for name, ex in (("local", Local(2)), ("dask", cluster)):
        out = tmp_path / name
        rows = mu.run_campaign(["fp4_lut_nf4"], None, "icarus", 2, out, 300, root, bank=False, ids=ids,
                               executor=ex, work=tmp_path / f"work-{name}")
        cache = {p.name: p.read_text() for p in (tmp_path / f"work-{name}" / "results").iterdir()}
        runs[name] = (rows, (out / "mutation.md").read_bytes(), cache)
    (rows_l, md_l, cache_l), (rows_d, md_d, cache_d) = runs["local"], runs["dask"]
    assert [{**r, "cpu_seconds": 0} for r in rows_d] == [{**r, "cpu_seconds": 0} for r in rows_l]
    assert rows_l[-1]["killed"] == 1 and rows_l[-1]["equivalent"] == 1      # the survivor: by exhaustion
    assert md_d == md_l
    strip = lambda text: text.split(', "seconds"')[0]          # noqa: E731 (the time differs)
    assert {k: strip(v) for k, v in cache_d.items()} == {k: strip(v) for k, v in cache_l.items()}
    assert len(cache_l) == 2


def test_a_regress_subset_gives_the_local_rows(cluster, tmp_path):
    need_icarus()
    groups = [g for g in rg.pack_groups(("e2m1",), with_mac=False) if g[0].unit == "decode"]
    jobs = rg.prepare(groups, tmp_path / "packs", ("icarus",))
    keep = ("sim", "unit", "label", "vectors", "mismatches", "failed", "timeout", "packs", "expected_packs")
    rows = {name: [{k: r[k] for k in keep} for r in rg.run_jobs(jobs, ex)]
            for name, ex in (("local", Local(1)), ("dask", cluster))}
    assert rows["dask"] == rows["local"]
    assert rows["local"] == [{"sim": "icarus", "unit": "decode", "label": "e2m1", "vectors": 16, "mismatches": 0,
                              "failed": 0, "timeout": None, "packs": 1, "expected_packs": 1}]


def test_packs_generated_on_the_cluster_are_byte_identical(cluster, tmp_path):
    from fp4ref.golden.defaults import default_set
    specs = [s for s in default_set(("e2m1",)) if s.unit in ("decode", "product") or "float32-rne" in s.name][:6]
    files = {}
    for name, ex in (("local", Local(1)), ("dask", cluster)):
        vectors = write_packs(specs, tmp_path / name, ex)
        files[name] = {str(p.relative_to(tmp_path / name)): p.read_bytes()
                       for p in sorted((tmp_path / name).rglob("*")) if p.is_file()}
        files[name + " vectors"] = vectors
    assert files["dask"] == files["local"] and files["dask vectors"] == files["local vectors"]
    assert len([k for k in files["local"] if k.endswith("manifest.json")]) == len(specs)


def _cli(*args):
    proc = subprocess.run([sys.executable, "-m", "fp4ref", *args], capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def test_the_cli_runs_a_sweep_on_a_local_cluster_as_it_runs_it_locally():
    sweep = ["exhaustive", "-f", "e2m1", "--start", "0x3f000000", "--stop", "0x3f400000", "--chunk-bits", "16"]
    rc_l, out_l, err_l = _cli(*sweep)
    rc_d, out_d, err_d = _cli(*sweep, "--cluster", "local:2")
    assert rc_l == rc_d == 0, err_l + err_d
    assert out_d.rsplit(", ", 1)[0] == out_l.rsplit(", ", 1)[0]          # all but the seconds
    assert "4,194,304 inputs, 0 mismatches" in out_d
    assert "Traceback" not in err_d and "distributed" not in err_d


def _start_worker(address: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                             "--no-dashboard", "--no-nanny"], env=env, cwd="/", stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def test_a_worker_that_cannot_run_the_campaign_is_named(tmp_path, monkeypatch):
    """A running scheduler (--scheduler) with no worker, then one worker that lacks the simulator,
    then one that cannot import the project: each refused in one line naming what is missing."""
    from distributed import LocalCluster

    from fp4ref.rtl_tb import campaign
    fake = tmp_path / "fake" / "fp4ref"                 # shadows the project on that worker
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('fp4ref is not installed on this host')\n")
    base = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    cases = [(dict(base, PATH=str(Path(sys.executable).parent)), "cannot run icarus: Icarus Verilog is not installed"),
             (dict(base, PYTHONPATH=str(fake.parent) + os.pathsep + base["PYTHONPATH"]),
              "cannot run fp4ref (ImportError: fp4ref is not installed on this host)")]
    scheduler = LocalCluster(n_workers=0, host="127.0.0.1", silence_logs=50, **campaign.LOCAL_HTTP)
    try:
        monkeypatch.setattr(campaign, "WORKER_WAIT_S", 1)
        with pytest.raises(ValueError, match="no worker joined it within 1 s"):
            open_executor(scheduler=scheduler.scheduler_address)
        monkeypatch.setattr(campaign, "WORKER_WAIT_S", 30)
        for env, message in cases:
            worker = _start_worker(scheduler.scheduler_address, env)
            try:
                t0 = time.time()
                with pytest.raises(ValueError) as err:
                    open_executor(scheduler=scheduler.scheduler_address, needs=("icarus",))
                assert message in str(err.value) and "Dask worker tcp://127.0.0.1:" in str(err.value)
                assert "\n" not in str(err.value) and time.time() - t0 < 40
            finally:
                worker.kill()
                worker.wait()
            for _ in range(100):                                 # until the scheduler has let it go
                if not scheduler.scheduler_info["workers"]:
                    break
                time.sleep(0.1)
    finally:
        scheduler.close()
