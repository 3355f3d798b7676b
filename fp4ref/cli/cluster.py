"""The flags that say where a campaign's shards run, one definition for every campaign command
(`fp4ref exhaustive`, `mutate`, `regress`, `golden defaults`): local processes (each command's
own ``--jobs``, the default), ``--scheduler tcp://HOST:PORT`` (a running Dask scheduler) or
``--cluster local:N`` (a Dask LocalCluster started on this machine). rtl_tb.campaign runs them;
docs/distributed.md says how to run on many hosts."""
from __future__ import annotations


def add_options(p) -> None:
    """--scheduler and --cluster (one or the other) on a command's parser."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run the shards on the workers of a running Dask scheduler instead of local processes "
                        "(--jobs is then unused; docs/distributed.md)")
    g.add_argument("--cluster", metavar="local:N",
                   help="start a Dask cluster of N worker processes on 127.0.0.1 and run the shards there")


def executor(args, jobs: int, needs: tuple[str, ...] = ()):
    """The executor the flags ask for (``jobs`` local processes by default); ``needs``: the
    simulators the shards run, checked on every Dask worker first. Use it as a context manager."""
    from fp4ref.rtl_tb.campaign import open_executor

    return open_executor(jobs, getattr(args, "scheduler", None), getattr(args, "cluster", None), needs)
