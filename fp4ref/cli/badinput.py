"""`fp4ref badinput`: the command line of the bad-input campaign (issue 8). The catalogue is
rtl_tb/bad_input.toml, the runner and the table rtl_tb/badinput.py; the policy and the generated
table: docs/bad_input.md."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fp4ref.golden.atomic import write_file
from fp4ref.rtl_tb import badinput as campaign


def cli_commands() -> set[str]:
    """The sub-commands of `fp4ref` (from its argparse parser)."""
    from . import _parser
    for action in _parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def add_parser(sub) -> None:
    b = sub.add_parser("badinput", help="the bad-input campaign: every command against every kind of bad input",
                       description="Provoke every bad-input category (invalid formats and options, wrong "
                       "dtypes and shapes, NaN/Inf, garbled packs, missing files, unwritable output, a full "
                       "disk, Ctrl-C mid-write, absurd sizes) and check each gives one error line, a non-zero "
                       "exit and no partial file. Prints the table; exit 0 only if every category behaves.")
    b.add_argument("--markdown", metavar="FILE", action="append",
                   help="(repeatable) also write the policy and the table to FILE (docs/bad_input.md), atomically; in a "
                   f"file that holds the markers {campaign.START} and {campaign.END} (a README), only the table "
                   "between them")
    b.add_argument("--only", help="comma-separated category ids (default: all)")
    b.add_argument("--jobs", type=int, default=2, help="categories run in parallel (default 2)")


def cmd_badinput(args) -> int:
    md = getattr(args, "markdown", None) or []
    md = [md] if isinstance(md, str) else md
    for f in md:
        campaign.check_markdown_target(Path(f))
    jobs = getattr(args, "jobs", 2)
    if jobs is None or jobs < 1:
        raise ValueError(f"--jobs must be >= 1, got {jobs}")
    cats = list(campaign.catalogue())
    only = getattr(args, "only", None)
    if only:
        ids = [s.strip() for s in only.split(",") if s.strip()]
        known = {c.id for c in cats}
        unknown = [i for i in ids if i not in known]
        if unknown or not ids:
            raise ValueError(f"--only: {', '.join(unknown) or 'no ids'}: not a category (fp4ref badinput "
                             "lists them all)")
        cats = [c for c in cats if c.id in ids]
    results = campaign.run_campaign(cats, jobs, cli_commands())
    print(campaign.table(results, cats), end="")
    print(campaign.summary(results))
    for f in md:
        write_file(Path(f), campaign.render_into(Path(f), results, cats))
    bad = [r.id for r in results if not r.ok]
    if bad:
        print(f"fp4ref badinput: error: {len(bad)} categories do not behave: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0
