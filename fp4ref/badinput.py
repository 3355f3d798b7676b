"""`fp4ref badinput`: the bad-input campaign (issue 8) as data, its runner and its table.

Each category is one kind of bad input given to a command or a public function. A CLI category
runs ``python -m fp4ref ARGV`` in a subprocess, in a fresh temporary folder, and behaves if:
the exit status is neither 0 nor 3 (3 is "internal error") nor a signal (130 exactly for Ctrl-C);
stderr holds no traceback and, after argparse's usage synopsis if there is one, exactly one line,
which starts with ``fp4ref COMMAND`` (``fp4ref:`` for a usage error of the top-level parser);
and nothing was written: the temporary folder, and the output path when it lies elsewhere, are
as before, with no partial output and no ``.NAME.tmp-*`` folder. An API category calls the
function and behaves if it raises ValueError or TypeError with a one-line message that names
the problem. The policy and the generated table: docs/bad_input.md.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .markers import check as check_markers, markers as marker_pair, splice

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "bad_input.md"
TIMEOUT_S = 120
FSIZE = 64 * 1024            #: the "full disk": a 64 KiB file size limit (RLIMIT_FSIZE)
_IN_CAMPAIGN = "FP4REF_BADINPUT_CAMPAIGN"


@dataclass(frozen=True)
class Category:
    """One kind of bad input; ``{tmp}`` in argv and env is the category's temporary folder."""

    id: str
    what: str
    argv: tuple[str, ...] = ()                        #: CLI: the arguments after `fp4ref`
    call: Callable[[Path], object] | None = None      #: API: called with the folder; must raise
    how: str = ""                                     #: API: the call as text; CLI: what setup does
    setup: Callable[[Path], None] | None = None       #: prepares files in the folder first
    expect: str = ""                                  #: the error message contains this
    stdout: str = "pipe"                              #: pipe | full (/dev/full) | closed (no reader)
    fsize: int | None = None                          #: a file size limit: writes fail with EFBIG
    env: tuple[tuple[str, str], ...] = ()             #: environment overrides
    interrupt: bool = False                           #: SIGINT while the output is being written

    @property
    def kind(self) -> str:
        return "api" if self.call is not None else "cli"

    @property
    def command(self) -> str | None:
        return self.argv[0] if self.argv else None


@dataclass
class Result:
    id: str
    kind: str
    ok: bool
    status: str                     #: "exit N", an exception name, or "skipped"
    message: str                    #: the error line, the temporary folder written as TMP
    problems: list[str] = field(default_factory=list)
    skipped: bool = False


# ------------------------------------------------------------------------------ setups

DUMMY_V = """module dummy_enc (
    input  wire [15:0] x_i, input wire [2:0] mode_i, input wire [7:0] rand_i, input wire sat_i,
    output wire [3:0] code_o, output wire [3:0] flags_o);
    assign code_o = x_i[15:12];
    assign flags_o = 4'd0;
endmodule
"""


def _pack(tmp: Path) -> Path:
    """A good 16-vector decode pack (e2m1) at tmp/pack."""
    from emu import get_format
    from golden.pack import PackSpec, write
    return write(PackSpec("decode", get_format("e2m1")), tmp / "pack")


def _manifest(pack: Path, edit: Callable[[dict], None] = lambda m: None, rehash: tuple[str, ...] = ()) -> None:
    """Edit a pack's manifest.json; ``rehash``: files whose sha256 and size it is made to agree with."""
    m = json.loads((pack / "manifest.json").read_text())
    edit(m)
    for name in rehash:
        data = (pack / name).read_bytes()
        m["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (pack / "manifest.json").write_text(json.dumps(m, indent=2) + "\n")


def _edit_hex(pack: Path, edit: Callable[[bytes], bytes]) -> None:
    (pack / "vectors.hex").write_bytes(edit((pack / "vectors.hex").read_bytes()))


def setup_digit_flipped(tmp: Path) -> None:
    _edit_hex(_pack(tmp), lambda d: d[:20] + (b"1" if d[20:21] != b"1" else b"0") + d[21:])


def setup_truncated(tmp: Path) -> None:
    _edit_hex(_pack(tmp), lambda d: d[:-5])


def setup_truncated_rehashed(tmp: Path) -> None:
    pack = _pack(tmp)
    _edit_hex(pack, lambda d: d[:-5])
    _manifest(pack, rehash=("vectors.hex",))


def setup_garbled_rehashed(tmp: Path) -> None:
    pack = _pack(tmp)
    def garble(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[3] = b"g" + lines[3][1:]           # line 4: its first digit becomes 'g'
        return b"\n".join(lines)
    _edit_hex(pack, garble)
    _manifest(pack, rehash=("vectors.hex",))


def setup_field_narrowed(tmp: Path) -> None:
    def edit(m):
        m["fields"][0]["width"] = 2          # code: 4 bits, the manifest now says 2 (still 1 digit)
    _manifest(_pack(tmp), edit)


def setup_field_digits(tmp: Path) -> None:
    def edit(m):
        m["fields"][0]["hex_digits"] = 2     # code: 4 bits in 1 digit, the manifest now says 2
    _manifest(_pack(tmp), edit)


def setup_manifest_json(tmp: Path) -> None:
    (_pack(tmp) / "manifest.json").write_text('{"schema": 1, "files": {')


def setup_manifest_types(tmp: Path) -> None:
    def edit(m):
        m["files"] = []
    _manifest(_pack(tmp), edit)


def setup_file_missing(tmp: Path) -> None:
    (_pack(tmp) / "vectors.jsonl").unlink()


def setup_afile(tmp: Path) -> None:
    (tmp / "afile").write_text("a regular file, not a folder\n")


def setup_gguf_cut(tmp: Path) -> None:
    from quant.smollm2 import gguf_path
    with open(gguf_path(), "rb") as f:
        (tmp / "cut.gguf").write_bytes(f.read(1000))


def setup_swapped_markers(tmp: Path) -> None:
    (tmp / "R.md").write_text("keep me\n<!-- /fp4ref badinput -->\nx\n<!-- fp4ref badinput -->\n")


def setup_foreign(tmp: Path) -> None:
    (tmp / "mine").mkdir()
    (tmp / "mine" / "notes.txt").write_text("someone's notes\n")


def setup_rtl(tmp: Path) -> None:
    (tmp / "d.v").write_text(DUMMY_V)
    (tmp / "bin").mkdir()


def _dump(text: str):
    def setup(tmp: Path) -> None:
        (tmp / "dump.csv").write_text(text)
    return setup


EXPLAIN = ("explain", "--unit", "encode", "-f", "e2m1", "{tmp}/dump.csv")


MUL_V = """module mul (input clk, input [3:0] a, input [3:0] b, output reg [8:0] p);
    always @(posedge clk) p <= {5'd0, a} * {5'd0, b};
endmodule
"""
MUL_TOML = """[design]
sources = ["mul.v"]
top = "mul"

[unit]
name = "product"
x = "e2m1"
w = "e2m1"

[ports]
code_x = "a"
code_w = "b"
product = "p"

[timing]
kind = "pipeline"
clock = "clk"
latency = 1
"""


def setup_dut(old: str = "", new: str = "", source: str = MUL_V):
    """A DUT file (mul.toml) and its design (mul.v) in TMP, with one line of the file changed."""
    def setup(tmp: Path) -> None:
        (tmp / "mul.v").write_text(source)
        assert old in MUL_TOML
        (tmp / "mul.toml").write_text(MUL_TOML.replace(old, new, 1))
    return setup


# ------------------------------------------------------------------------ API calls

def _f32(*v) -> np.ndarray:
    return np.array(v, np.float32)


def _api_pack_load(tmp: Path):
    from golden.pack import load
    return load(tmp / "pack")


def _api_manifest_missing(tmp: Path):
    from golden import manifest
    return manifest.verify(tmp / "nopack")


def _emu():
    import emu
    return emu


def _lookup():
    from emu import lookup
    return lookup


def _mac():
    import mac
    return mac


def _block():
    from emu import block
    return block


def _rtn(w, group):
    from emu.lookup_scale import quantize
    return quantize(w, "nf4", group)


u8 = np.uint8
INF, NAN = float("inf"), float("nan")


# ------------------------------------------------------------------------- the list

def _c(id, what, *argv, **kw) -> Category:
    return Category(id, what, tuple(argv), **kw)


def _block_dot():
    import mac.block_dot
    return mac.block_dot


def _a(id, what, how, call, expect, **kw) -> Category:
    return Category(id, what, call=call, how=how, expect=expect, **kw)


GEN = ("golden", "gen")
DOT = (*GEN, "--unit", "dot", "--x", "e2m1", "--w", "e2m1")
VERIFY = ("verify", "--unit", "encode", "-f", "e2m1", "-r", "rne")

CATEGORIES: list[Category] = [
    # invalid format parameters
    _c("format-unknown", "an unknown format name", "card", "e9m9", expect="unknown format 'e9m9'"),
    _c("rounding-unknown", "an unknown rounding mode", *GEN, "--unit", "encode", "-f", "e2m1", "-r",
       "nearest", "--out", "{tmp}/pack", expect="invalid choice: 'nearest'"),
    _c("rounding-list-garbled", "a rounding list with an unknown mode", *VERIFY[:-1], "rne,nearest",
       "--rtl", "{tmp}/d.v", "--top", "dummy_enc", setup=setup_rtl, expect="'nearest' is not one of"),
    _c("overflow-impossible", "an overflow policy the format cannot have (Inf for E2M1)", *GEN, "--unit",
       "encode", "-f", "e2m1", "--overflow", "inf", "--out", "{tmp}/pack", expect="neither Inf nor NaN"),
    _c("lookup-format-unknown", "an unknown lookup format", *GEN, "--unit", "lut_decode", "-f", "nf9",
       "--out", "{tmp}/pack", expect="unknown lookup format 'nf9'"),
    _c("tie-even-nf4", "a tie rule the lookup format cannot have (even on NF4)", "encode", "-f", "nf4",
       "--tie", "even", "0.1", expect="not defined for nf4"),
    _c("tie-on-float-format", "a lookup-format option given to a float preset", "encode", "-f", "e2m1",
       "--tie", "down", "1", expect="--tie applies to lookup formats"),
    _c("mac-operand-missing", "a MAC pack without its operand formats", *GEN, "--unit", "dot", "--out",
       "{tmp}/pack", expect="needs --x and --w"),
    _c("acc-w-out-of-range", "an accumulator width outside 2..62 bits", *DOT, "--acc-w", "99", "--out",
       "{tmp}/pack", expect="2..62 bits"),
    _c("shift-max-out-of-range", "a pre-shift range outside 0..30", "width", "--shift-max", "31",
       expect="shift_max"),
    _c("shift-w-too-narrow", "a shift field too narrow for the pre-shift range B", *DOT, "--shift-max", "3",
       "--shift-w", "1", "--out", "{tmp}/pack", expect="B = 3 needs 2"),
    # wrong dtypes, values, widths
    _c("dtype-unknown", "a source dtype fp4ref does not read", "encode", "-f", "e2m1", "--dtype", "int32",
       "1", expect="invalid choice: 'int32'"),
    _c("value-not-a-number", "a value that is not a number", "encode", "-f", "e2m1", "1.2.3",
       expect="'1.2.3' is not a number"),
    _c("bits-garbled-hex", "bit patterns that are not hex", "encode", "-f", "e2m1", "--bits", "0xzz",
       expect="hex bit patterns"),
    _c("bits-too-wide", "a bit pattern wider than its dtype (17 bits for float16)", "encode", "-f", "e2m1",
       "--bits", "--dtype", "float16", "0x10000", expect="16 bits wide"),
    _c("sr-without-rand", "stochastic rounding without random bits", "encode", "-f", "e2m1", "-r", "sr",
       "1.1", expect="needs rand"),
    _c("sr-bits-out-of-range", "a random-bit width outside 1..32", "encode", "-f", "e2m1", "-r", "sr",
       "--rand", "1", "--sr-bits", "0", "1.1", expect="sr_bits"),
    _c("rand-too-wide", "a random value wider than --sr-bits", "encode", "-f", "e2m1", "-r", "sr",
       "--sr-bits", "2", "--rand", "9", "1.1", expect="rand: values must be in [0, 2^2)"),
    # NaN and Inf where they are not allowed
    _c("nan-policy-error", "NaN under --nan error", "encode", "-f", "e2m1", "--nan", "error", "nan",
       expect="NaN input and nan='error'"),
    _c("nan-into-lookup", "NaN into a lookup format (no NaN code)", "encode", "-f", "nf4", "nan",
       expect="NaN in the input"),
    _c("inf-overflow-error", "Inf under --overflow error", "encode", "-f", "e2m1", "--overflow", "error",
       "inf", expect="overflow='error'"),
    # codes outside a format
    _c("code-outside-format", "code 16 for a 4-bit format", "decode", "-f", "e2m1", "16",
       expect="codes outside e2m1"),
    _c("code-unused-lookup", "a code the lookup format does not use (APoT4 1000)", "decode", "-f", "apot4",
       "8", expect="not used by this format"),
    _c("code-garbled", "a code that is not an integer", "decode", "-f", "e2m1", "0xzz",
       expect="must be integers"),
    # packs: hashes, hex, field widths, manifests, missing files
    _c("manifest-hash-mismatch", "a pack whose vectors.hex no longer matches the manifest's sha256",
       "golden", "verify", "{tmp}/pack", setup=setup_digit_flipped, how="one hex digit of TMP/pack changed",
       expect="does not match the manifest"),
    _c("hex-truncated", "a truncated vectors.hex", "golden", "verify", "{tmp}/pack", setup=setup_truncated,
       how="TMP/pack/vectors.hex cut by 5 bytes", expect="truncated or modified"),
    _c("hex-truncated-rehashed", "a truncated vectors.hex whose manifest was re-hashed to match", "golden",
       "verify", "{tmp}/pack", setup=setup_truncated_rehashed,
       how="vectors.hex cut by 5 bytes, its sha256 and size put in the manifest", expect="truncated"),
    _c("hex-garbled", "a non-hex digit in vectors.hex, manifest re-hashed to match", "golden", "verify",
       "{tmp}/pack", setup=setup_garbled_rehashed, how="line 4 of vectors.hex starts with 'g', re-hashed",
       expect="not hex"),
    _c("field-width-mismatch", "a manifest field width narrower than the values in the pack", "golden",
       "verify", "{tmp}/pack", setup=setup_field_narrowed, how="manifest: field code 2 bits wide, not 4",
       expect="field code exceeds 2 bits"),
    _c("field-layout-mismatch", "manifest hex digits that disagree with the field width", "golden",
       "verify", "{tmp}/pack", setup=setup_field_digits, how="manifest: field code in 2 hex digits, not 1",
       expect="do not follow the line layout"),
    _c("manifest-malformed", "a manifest.json that is not JSON", "golden", "verify", "{tmp}/pack",
       setup=setup_manifest_json, how="manifest.json cut short", expect="malformed JSON"),
    _c("manifest-garbled", "a manifest with an entry of the wrong type", "golden", "verify", "{tmp}/pack",
       setup=setup_manifest_types, how='manifest: "files": []', expect="garbled manifest"),
    _c("pack-file-missing", "a pack with a file missing", "golden", "verify", "{tmp}/pack",
       setup=setup_file_missing, how="TMP/pack/vectors.jsonl deleted", expect="vectors.jsonl is missing"),
    _c("pack-missing", "a pack folder that does not exist", "golden", "verify", "{tmp}/nopack",
       expect="no such directory"),
    _c("rtl-missing", "a Verilog source that does not exist", *VERIFY, "--rtl", "{tmp}/none.v", "--top", "x",
       expect="does not exist"),
    _c("param-garbled", "a module parameter that is not NAME=INTEGER", *VERIFY, "--rtl", "{tmp}/d.v",
       "--top", "dummy_enc", "--param", "W", setup=setup_rtl, expect="NAME=INTEGER"),
    _c("simulator-missing", "a simulator that is not installed", *VERIFY, "--sim", "icarus", "--rtl",
       "{tmp}/d.v", "--top", "dummy_enc", setup=setup_rtl, env=(("PATH", "{tmp}/bin"),),
       expect="iverilog"),
    # output that cannot be written
    _c("out-under-a-file", "an output folder under a regular file (fails for root too)", *GEN, "--unit",
       "decode", "-f", "e2m1", "--out", "{tmp}/afile/pack", setup=setup_afile, expect="afile"),
    _c("out-unwritable", "an output folder where nothing can be created (/proc)", *GEN, "--unit", "decode",
       "-f", "e2m1", "--out", "/proc/fp4ref/pack", expect="/proc/fp4ref"),
    _c("out-foreign-folder", "an output folder that holds someone else's files", *GEN, "--unit", "decode",
       "-f", "e2m1", "--out", "{tmp}/mine", setup=setup_foreign, expect="refusing to overwrite"),
    _c("defaults-unknown-format", "an unknown format in a pack set (nothing written before the check)",
       "golden", "defaults", "--out", "{tmp}/packs", "--formats", "e2m1,bogus",
       expect="unknown format 'bogus'"),
    _c("disk-full", "a full disk while a pack is written", *GEN, "--unit", "encode", "-f", "e2m1", "--out",
       "{tmp}/pack", fsize=FSIZE, expect="File too large"),
    _c("stdout-full", "a full disk on stdout", "formats", stdout="full", expect="No space left"),
    _c("stdout-closed", "stdout closed by the reader (a broken pipe)", "card", "e2m1", stdout="closed",
       expect="Broken pipe"),
    _c("ctrl-c-mid-write", "Ctrl-C in the middle of writing a pack", *GEN, "--unit", "decode", "-f", "e2m1",
       "--out", "{tmp}/pack", interrupt=True, expect="interrupted"),
    # absurd sizes
    _c("lanes-zero", "zero MAC lanes", *DOT, "--lanes", "0", "--out", "{tmp}/pack", expect="1..256"),
    _c("lanes-absurd", "a million MAC lanes", *DOT, "--lanes", "1000000", "--out", "{tmp}/pack",
       expect="1..256"),
    _c("width-lanes-zero", "an accumulator width question for zero terms", "width", "--lanes", "0",
       expect="positive integer"),
    _c("random-absurd-mx", "10^12 random MX blocks", *GEN, "--unit", "mx_block", "--random", str(10 ** 12),
       "--out", "{tmp}/pack", expect="2^20"),
    _c("random-absurd-dot", "10^12 random dot vectors", *DOT, "--dot-random", str(10 ** 12), "--out",
       "{tmp}/pack", expect="2^20"),
    _c("random-absurd-float32", "10^12 random float32 encode vectors", *GEN, "--unit", "encode", "-f",
       "e2m1", "--src", "float32", "--random", str(10 ** 12), "--out", "{tmp}/pack", expect="2^20"),
    _c("bench-size-zero", "a benchmark of zero elements", "bench", "--size", "0", expect="must be positive"),
    _c("bench-size-absurd", "a benchmark of 10^12 elements", "bench", "--size", str(10 ** 12),
       expect="at most"),
    _c("exhaustive-chunk-absurd", "2^99 inputs per chunk", "exhaustive", "--chunk-bits", "99",
       expect="--chunk-bits"),
    _c("exhaustive-range-inverted", "a sweep range whose start is past its stop", "exhaustive", "--start",
       "0x10", "--stop", "0x5", expect="--start < --stop"),
    _c("exhaustive-no-reference", "a format the reference (ml_dtypes) does not have", "exhaustive", "-f",
       "e2m1_b0", expect="ml_dtypes has no type"),
    _c("exhaustive-rtl-sr", "an RTL sweep in stochastic rounding (no table oracle)", "exhaustive-rtl", "-r", "sr",
       expect="deterministic mode"),
    _c("exhaustive-rtl-unaligned", "an RTL sweep range that does not start on a 16-input evaluation",
       "exhaustive-rtl", "--start", "3", expect="multiples of 16"),
    _c("gguf-truncated", "a GGUF file cut after its first 1,000 bytes", "gguf", "--file", "{tmp}/cut.gguf",
       setup=setup_gguf_cut, expect="not a readable GGUF file"),
    _c("copies-absurd", "100,000 copies of the module under test", *VERIFY, "--rtl", "{tmp}/d.v", "--top",
       "dummy_enc", "--copies", "100000", setup=setup_rtl, expect="--copies must be 1..1024"),
    _c("verify-timeout-zero", "a 0 s simulation limit (a design could never pass)", *VERIFY, "--rtl",
       "{tmp}/d.v", "--top", "dummy_enc", "--timeout", "0", setup=setup_rtl,
       expect="--timeout: must be a positive number of seconds"),
    _c("verify-stall-negative", "a negative stall limit", *VERIFY, "--rtl", "{tmp}/d.v", "--top",
       "dummy_enc", "--stall", "-5", setup=setup_rtl, expect="--stall: must be a positive number of seconds"),
    _c("jobs-zero", "zero parallel jobs", "regress", "--jobs", "0", expect="--jobs must be >= 1"),
    # DUT files (docs/byo_rtl.md): one line naming the file, the line, the section and the key
    _c("dut-port-missing", "a DUT file mapping a port the design does not have", "dut", "check",
       "{tmp}/mul.toml", setup=setup_dut('code_x = "a"', 'code_x = "aa"'),
       expect="mul.toml:11: [ports] code_x: the design mul has no port 'aa'"),
    _c("dut-width-mismatch", "a DUT field on a port of the wrong width", "dut", "check", "{tmp}/mul.toml",
       setup=setup_dut('product = "p"', 'product = "p[5:0]"'),
       expect="[ports] product: a 6-bit port at scale 1 cannot represent the 9-bit field"),
    _c("dut-unknown-field", "a DUT file naming a field the unit does not have", "verify", "--dut",
       "{tmp}/mul.toml", setup=setup_dut('product = "p"', 'prod = "p"'),
       expect="mul.toml:13: [ports] prod: not a field of unit product"),
    _c("dut-missing-key", "a DUT file without its top module", "verify", "--dut", "{tmp}/mul.toml",
       setup=setup_dut('top = "mul"', ""), expect="[design]: missing required key 'top'"),
    _c("dut-latency-zero", "a clocked DUT with latency 0", "verify", "--dut", "{tmp}/mul.toml",
       setup=setup_dut("latency = 1", "latency = 0"),
       expect="[timing] latency: a clocked design has a latency of at least 1 cycle"),
    _c("dut-no-compile", "a DUT whose design does not compile", "verify", "--dut", "{tmp}/mul.toml",
       setup=setup_dut(source="module mul (input clk); assign = ; endmodule\n"),
       expect="the design does not compile (Verilator): %Error"),
    _c("dut-scale-too-big", "a scale the port cannot represent", "dut", "check", "{tmp}/mul.toml",
       setup=setup_dut('product = "p"', 'product = { port = "p", scale = 16 }'),
       expect="a 9-bit port at scale 16 cannot represent the 9-bit field (it needs 13 bits)"),
    _c("tokens-zero", "a layer pack of zero tokens", "layerpack", "--tokens", "0", "--out", "{tmp}/lp",
       expect="tokens"),
    _c("group-size-negative", "group size -5", "gptq", "--group-size", "-5", "--out", "{tmp}/gptq",
       expect="--group-size"),
    _c("mutants-zero", "zero mutants per module", "mutate", "--max-per-module", "0", "--out", "{tmp}/mut",
       expect="--max-per-module"),
    _c("mutate-timeout-zero", "a 0 s bench limit (every mutant would time out: a false score)", "mutate",
       "--timeout", "0", "--out", "{tmp}/mut", expect="--timeout: must be a positive"),
    _c("readme-from-a-subset", "a README score table from a subset of the campaign", "mutate", "--modules",
       "fp4_round", "--report-only", "--readme", "{tmp}/R.md", "--out", "{tmp}/mut",
       expect="--readme publishes the whole campaign"),
    # the model commands: refused before the model loads
    _c("method-unknown", "an unknown LLM-FP4 method", "llmfp4", "report", "--methods", "bogus",
       expect="--methods: 'bogus'"),
    _c("accuracy-format-unknown", "an unknown format for the accuracy table", "accuracy", "--formats",
       "bogus", "--out", "{tmp}/acc", expect="unknown lookup format 'bogus'"),
    _c("cost-format-unknown", "a format outside the cost set", "cost", "--formats", "bogus", "--out",
       "{tmp}/cost", expect="not in the cost set"),
    _c("demo-extra-argument", "an argument a command does not take", "demo", "--frobnicate",
       expect="unrecognized arguments: --frobnicate"),
    _c("markdown-unwritable", "a campaign report under a regular file", "badinput", "--markdown",
       "{tmp}/afile/bad.md", setup=setup_afile, expect="--markdown"),
    _c("markers-out-of-order", "a README whose generated-section markers are swapped (never rewritten)",
       "badinput", "--only", "dtype-unknown", "--markdown", "{tmp}/R.md", setup=setup_swapped_markers,
       expect="in that order"),
    # public functions
    _a("api-encode-int-dtype", "integer input to encode", "emu.encode(np.int32([1, 2]), 'e2m1')",
       lambda t: _emu().encode(np.array([1, 2], np.int32), "e2m1"), "unsupported input dtype int32"),
    _a("api-encode-format-unknown", "an unknown format to encode", "emu.encode([1.0], 'e9m9')",
       lambda t: _emu().encode([1.0], "e9m9"), "unknown format 'e9m9'"),
    _a("api-encode-rounding-unknown", "an unknown rounding mode to encode",
       "emu.encode([1.0], 'e2m1', rounding='nearest')",
       lambda t: _emu().encode([1.0], "e2m1", rounding="nearest"), "rounding: must be one of"),
    _a("api-encode-rand-shape", "random bits of the wrong shape",
       "emu.encode([1.0, 2.0], 'e2m1', rounding='sr', rand=[0, 1, 2])",
       lambda t: _emu().encode([1.0, 2.0], "e2m1", rounding="sr", rand=[0, 1, 2]), "does not broadcast"),
    _a("api-encode-nan-error", "NaN under nan='error'", "emu.encode([nan], 'e2m1', nan='error')",
       lambda t: _emu().encode([NAN], "e2m1", nan="error"), "NaN input"),
    _a("api-decode-float-codes", "float codes to decode", "emu.decode(np.float64([1.5]), 'e2m1')",
       lambda t: _emu().decode(np.array([1.5]), "e2m1"), "codes: must be integers"),
    _a("api-decode-outside", "a code outside the format", "emu.decode([16], 'e2m1')",
       lambda t: _emu().decode([16], "e2m1"), "codes outside e2m1"),
    _a("api-int-map-nan-code", "the integer mapping of a NaN code", "emu.int_map([0x7f], 'e4m3')",
       lambda t: _emu().int_map([0x7F], "e4m3"), "NaN or Inf"),
    _a("api-pack-x2-odd", "an odd number of codes to pack two per byte", "emu.pack_x2(np.uint8([1, 2, 3]))",
       lambda t: _emu().pack_x2(np.array([1, 2, 3], u8)), "even length"),
    _a("api-to-ml-dtypes", "a format ml_dtypes does not have", "emu.to_ml_dtypes([1], 'e2m1_b0')",
       lambda t: _emu().to_ml_dtypes([1], "e2m1_b0"), "no type for e2m1_b0"),
    _a("api-lookup-unknown", "an unknown lookup format", "emu.lookup.get_lookup('nf9')",
       lambda t: _lookup().get_lookup("nf9"), "unknown lookup format 'nf9'"),
    _a("api-lookup-encode-nan", "NaN into a lookup format", "emu.lookup.encode(np.float32([nan]), 'nf4')",
       lambda t: _lookup().encode(_f32(NAN), "nf4"), "NaN in the input"),
    _a("api-lookup-unused-code", "a code the lookup format does not use", "emu.lookup.decode([8], 'apot4')",
       lambda t: _lookup().decode([8], "apot4"), "not used by this format"),
    _a("api-lookup-tie-even", "tie rule 'even' on NF4",
       "emu.lookup.encode(np.float32([0.1]), 'nf4', tie='even')",
       lambda t: _lookup().encode(_f32(0.1), "nf4", tie="even"), "not defined for nf4"),
    _a("api-rtn-inf-weights", "Inf among the weights of an RTN group",
       "emu.lookup_scale.quantize(np.float32([[1, inf]]), 'nf4', 128)",
       lambda t: _rtn(_f32([1, INF]), 128), "NaN or Inf"),
    _a("api-rtn-group-zero", "group size 0", "emu.lookup_scale.quantize(np.ones((2, 256), np.float32), 'nf4', 0)",
       lambda t: _rtn(np.ones((2, 256), np.float32), 0), "group size must be positive"),
    _a("api-rtn-group-negative", "group size -5",
       "emu.lookup_scale.quantize(np.ones((2, 256), np.float32), 'nf4', -5)",
       lambda t: _rtn(np.ones((2, 256), np.float32), -5), "group size must be positive"),
    _a("api-dot-shapes", "dot products of mismatched shapes",
       "mac.dot(np.zeros((3, 16), np.uint8), np.zeros((2, 16), np.uint8), 'e2m1', 'e2m1', 16)",
       lambda t: _mac().dot(np.zeros((3, 16), u8), np.zeros((2, 16), u8), "e2m1", "e2m1", 16),
       "shapes do not match"),
    _a("api-dot-acc-w", "a 99-bit accumulator",
       "mac.dot(np.zeros(16, np.uint8), np.zeros(16, np.uint8), 'e2m1', 'e2m1', 99)",
       lambda t: _mac().dot(np.zeros(16, u8), np.zeros(16, u8), "e2m1", "e2m1", 99), "acc_w"),
    _a("api-dot-nan-codes", "NaN codes into a MAC",
       "mac.dot(np.full(16, 0x7f, np.uint8), np.zeros(16, np.uint8), 'e4m3', 'e4m3', 30)",
       lambda t: _mac().dot(np.full(16, 0x7F, u8), np.zeros(16, u8), "e4m3", "e4m3", 30), "NaN or Inf"),
    _a("api-width-lanes-zero", "an accumulator width for zero terms", "mac.worst_case_width('e2m1', 'e2m1', 0)",
       lambda t: _mac().worst_case_width("e2m1", "e2m1", 0), "positive integer"),
    _a("api-gemm-shapes", "a GEMM of mismatched shapes",
       "mac.gemm(np.zeros((2, 16), np.uint8), np.zeros((3, 8), np.uint8), 'e2m1', 'e2m1')",
       lambda t: _mac().gemm(np.zeros((2, 16), u8), np.zeros((3, 8), u8), "e2m1", "e2m1"),
       "shapes do not match"),
    _a("api-q4_0-2d", "a 2-D array where one row is needed",
       "emu.block.quantize_row_q4_0(np.zeros((2, 32), np.float32))",
       lambda t: _block().quantize_row_q4_0(np.zeros((2, 32), np.float32)), "one row (1-D)"),
    _a("api-q4_0-inf", "Inf into ggml Q4_0", "emu.block.quantize_row_q4_0(np.float32([inf] + [0] * 31))",
       lambda t: _block().quantize_row_q4_0(_f32(INF, *[0] * 31)), "NaN or Inf"),
    _a("api-mx-length", "an MX row that is not a multiple of 32", "emu.block.quantize_mx(np.zeros(31, np.float32))",
       lambda t: _block().quantize_mx(np.zeros(31, np.float32)), "multiple of the block size 32"),
    _a("api-mx-int-dtype", "integer input to MX", "emu.block.quantize_mx(np.zeros(32, np.int64))",
       lambda t: _block().quantize_mx(np.zeros(32, np.int64)), "must be a float array"),
    _a("api-mx-rule-unknown", "an unknown E8M0 scale rule",
       "emu.block.quantize_mx(np.zeros(32, np.float32), rule='bogus')",
       lambda t: _block().quantize_mx(np.zeros(32, np.float32), rule="bogus"), "rule: must be one of"),
    _a("api-dequantize-mx-shapes", "MX codes and scales of mismatched shapes",
       "emu.block.dequantize_mx(np.zeros(64, np.uint8), np.zeros(3, np.uint8))",
       lambda t: _block().dequantize_mx(np.zeros(64, u8), np.zeros(3, u8)), "shapes"),
    _a("api-nvfp4-length", "an NVFP4 row that is not a multiple of 16",
       "emu.block.quantize_nvfp4(np.zeros(15, np.float32))",
       lambda t: _block().quantize_nvfp4(np.zeros(15, np.float32)), "multiple of the block size 16"),
    _a("api-e8m0-range", "an E8M0 code outside 0..255", "emu.block.decode_e8m0([256])",
       lambda t: _block().decode_e8m0([256]), "0..255"),
    _a("api-pack-load-truncated", "loading a truncated pack whose manifest was re-hashed",
       "golden.pack.load(TMP/pack)", _api_pack_load, "truncated", setup=setup_truncated_rehashed),
    _a("api-manifest-missing", "verifying a pack that does not exist", "golden.manifest.verify(TMP/nopack)",
       _api_manifest_missing, "no such directory"),
    # the block units (docs/block.md §7-§12)
    _c("block-count-unknown", "an MX dot product of 9 blocks (the unit takes 1..8)", *GEN, "--unit", "mx_dot",
       "--opt", "blocks=9", "--out", "{tmp}/pack", expect="blocks: must be 1..8"),
    _c("block-option-unknown", "an option the unit does not have", *GEN, "--unit", "nvfp4_quant", "--opt",
       "semantics=per_block", "--out", "{tmp}/pack", expect="not an option of nvfp4_quant"),
    _c("block-option-garbled", "an --opt without =", *GEN, "--unit", "mx_dot", "--opt", "blocks", "--out",
       "{tmp}/pack", expect="expected KEY=VALUE"),
    _c("block-option-conflict", "overflow to Inf into a format that has none", *GEN, "--unit", "fp_mul",
       "--opt", "o=e2m1", "--opt", "overflow=inf", "--out", "{tmp}/pack", expect="has neither"),
    _c("block-opt-on-flag-unit", "--opt on a unit that takes flags", *DOT, "--opt", "blocks=2", "--out",
       "{tmp}/pack", expect="--unit dot takes flags"),
    _c("block-semantics-unknown", "a semantics the dot units do not have", *GEN, "--unit", "mx_dot", "--opt",
       "semantics=kulisch", "--out", "{tmp}/pack", expect="must be one of exact, per_block"),
    _c("block-rounding-fp32", "a rounding the FP32 result cannot take", *GEN, "--unit", "nvfp4_dot", "--opt",
       "rounding=rna", "--out", "{tmp}/pack", expect="must be one of rne, rtz"),
    _a("api-block-length", "a block of 31 elements to the MX dot product",
       "mac.block_dot.mx_dot_fp32(zeros(1, 31), ...)",
       lambda t: _block_dot().mx_dot_fp32(np.zeros((1, 31), np.int64), np.zeros((1, 31), np.int64),
                                          [[127]], [[127]]), "32 * K"),
    _a("api-block-scale-range", "an E8M0 scale of 256", "mac.block_dot.mx_dot_fp32(..., xa=[[256]])",
       lambda t: _block_dot().mx_dot_fp32(np.zeros((1, 32), np.int64), np.zeros((1, 32), np.int64),
                                          np.array([[256]]), np.array([[127]])), "0..255"),
    _a("api-block-acc-bits", "an FP32 accumulator that is not a 32-bit pattern",
       "mac.block_dot.nvfp4_dot_fp32(..., acc=[2**32])",
       lambda t: _block_dot().nvfp4_dot_fp32(np.zeros((1, 16), np.int64), np.zeros((1, 16), np.int64),
                                             [[56]], [[56]], acc=np.array([1 << 32])), "0..0xFFFFFFFF"),
    _a("api-block-quant-shape", "33 inputs to the MX quantizer", "emu.block.quant.mx_quant(zeros(1, 33))",
       lambda t: __import__("emu.block.quant", fromlist=["x"]).mx_quant(np.zeros((1, 33), np.int64)),
       "[n, 32]"),
    _a("api-stream-enable", "an enable of 2 to the streaming MAC", "mac.stream.mac_stream(clr=[1], en=[2], ...)",
       lambda t: __import__("mac.stream", fromlist=["x"]).mac_stream([1], [2], [[0]], [[0]]), "0 or 1"),
    # mismatch diagnosis and named conventions (issue 15)
    _c("explain-columns", "an explain dump whose columns are not the unit's", *EXPLAIN,
       setup=_dump("x,value\n0x3f800000,2\n"), how="TMP/dump.csv: columns x,value",
       expect="column value not of this unit"),
    _c("explain-width", "an explain dump with a value wider than its field", *EXPLAIN,
       setup=_dump("x,code\n0x3f800000,0x1f\n"), how="TMP/dump.csv: code 0x1f (a 4-bit field)",
       expect="does not fit the field's 4 bits"),
    _c("explain-short", "an explain dump with fewer vectors than it claims", *EXPLAIN,
       setup=_dump("x,code\n# vectors 3\n0x3f800000,0x2\n0x40000000,0x4\n"),
       how="TMP/dump.csv: '# vectors 3', two lines", expect="holds 2 vectors but says it has 3"),
    _c("explain-x-values", "an explain dump with X from the simulator", "explain", "--unit", "encode",
       "-f", "e2m1", "{tmp}/dump.txt", setup=lambda t: (t / "dump.txt").write_text("x code\n3f800000 x\n"),
       how="TMP/dump.txt: code x", expect="(X or Z from the simulator?)"),
    _c("export-lookup-format", "a C export of a lookup format", "export", "c", "-f", "nf4", "--out",
       "{tmp}/c", expect="nf4 is a lookup format"),
    _c("export-foreign-folder", "a C export into a folder of the user's own files", "export", "c", "-f", "e2m1",
       "--out", "{tmp}/mine", setup=lambda t: ((t / "mine").mkdir(), (t / "mine" / "notes.txt").write_text("x")),
       how="TMP/mine holds notes.txt", expect="not an fp4ref output folder"),
    _c("tb-clocked-unit", "a native testbench for a clocked unit", *GEN[:1], "tb", "{tmp}/pack", "--out",
       "{tmp}/tb", setup=lambda t: __import__("subprocess").run([sys.executable, "-m", "fp4ref", "golden", "gen",
       "--unit", "mac_stream", "--opt", "cycles=10", "--out", str(t / "pack")], check=True, capture_output=True),
       how="TMP/pack: a mac_stream pack", expect="mac_stream is clocked"),
    _c("conventions-unknown", "an unknown convention to list", "conventions", "ggml", expect="known: ocp_mx"),
    _c("convention-unknown", "an unknown convention name", *GEN, "--unit", "encode", "-f", "e2m1",
       "--convention", "nvidia", "--out", "{tmp}/pack", expect="known: ocp_mx, ml_dtypes"),
    _c("convention-contradicted", "a rounding that contradicts the convention", *GEN, "--unit", "encode",
       "-f", "e2m1", "--convention", "microxcaling", "-r", "rne", "--out", "{tmp}/pack",
       expect="contradicts --convention microxcaling"),
    _c("convention-other-unit", "a convention for a unit it does not apply to yet", *GEN, "--unit",
       "decode", "-f", "e2m1", "--convention", "ml_dtypes", "--out", "{tmp}/pack",
       expect="applies to --unit encode"),
]


# ------------------------------------------------------------------------- the runner

def cli_commands() -> set[str]:
    """The sub-commands of `fp4ref` (from its argparse parser)."""
    from .cli import _parser
    for action in _parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def _snapshot(root: Path):
    """What is at root: None, a file's sha256, or every path under a folder with its content."""
    if not os.path.lexists(root):
        return None
    if root.is_symlink() or not root.is_dir():
        return hashlib.sha256(root.read_bytes()).hexdigest() if root.is_file() else "special"
    return sorted((str(p.relative_to(root)), hashlib.sha256(p.read_bytes()).hexdigest()
                   if p.is_file() and not p.is_symlink() else "folder" if p.is_dir() else "other")
                  for p in root.rglob("*"))


def _leftovers(out: Path) -> list[str]:
    try:
        return sorted(p.name for pat in (f".{out.name}.tmp-*", f".{out.name}.old-*") for p in out.parent.glob(pat))
    except OSError:
        return []


_FSIZE_LAUNCHER = (
    "import os, resource, sys\n"
    "n = int(sys.argv[1]); hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (n if hard < 0 else min(n, hard), hard))\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'fp4ref', *sys.argv[2:]])\n")

# Ctrl-C mid-write: fsync (after each file of the temporary folder is written) is slowed down so
# that the SIGINT the campaign sends once the first file is there lands inside the write. SIGINT
# gets Python's own handler even where the campaign itself runs with SIGINT ignored.
_SLOW_FSYNC_LAUNCHER = (
    "import os, signal, sys, time\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "_fsync = os.fsync\n"
    "def fsync(fd):\n"
    "    _fsync(fd)\n"
    "    time.sleep(60)\n"
    "os.fsync = fsync\n"
    "from fp4ref.cli import main\n"
    "raise SystemExit(main(sys.argv[1:]))\n")


def _env(cat: Category, tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    for k in ("PYTHONUNBUFFERED", "FP4REF_DEBUG"):       # buffered stdout, as a user has it
        env.pop(k, None)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env[_IN_CAMPAIGN] = "1"
    env.update({k: v.replace("{tmp}", str(tmp)) for k, v in cat.env})
    return env


def _run_cli(cat: Category, argv: list[str], tmp: Path) -> tuple[int | None, str]:
    """(exit status or None on a timeout, stderr)."""
    if cat.interrupt:
        cmd = [sys.executable, "-c", _SLOW_FSYNC_LAUNCHER, *argv]
    elif cat.fsize:
        cmd = [sys.executable, "-c", _FSIZE_LAUNCHER, str(cat.fsize), *argv]
    else:
        cmd = [sys.executable, "-m", "fp4ref", *argv]
    close = []
    if cat.stdout == "full":
        stdout = open("/dev/full", "wb")
        close.append(stdout)
    elif cat.stdout == "closed":
        r, w = os.pipe()
        os.close(r)
        stdout = w
    else:
        stdout = subprocess.DEVNULL
    try:
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                cwd=tmp, env=_env(cat, tmp))
    finally:
        for f in close:
            f.close()
        if cat.stdout == "closed":
            os.close(w)
    try:
        if cat.interrupt:
            out = _out(argv)
            deadline = time.monotonic() + TIMEOUT_S
            while proc.poll() is None and time.monotonic() < deadline:
                if any(any(p.iterdir()) for p in out.parent.glob(f".{out.name}.tmp-*")):
                    proc.send_signal(signal.SIGINT)
                    break
                time.sleep(0.005)
        _, err = proc.communicate(timeout=TIMEOUT_S)
        return proc.returncode, err.decode(errors="replace")
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        return None, err.decode(errors="replace")


def _out(argv: list[str]) -> Path | None:
    for flag in ("--out", "--markdown"):
        if flag in argv[:-1]:
            return Path(argv[argv.index(flag) + 1])
    return None


def _error_line(stderr: str, command: str) -> tuple[str, list[str]]:
    """The error line of stderr and what is wrong with stderr's shape."""
    lines = stderr.splitlines()
    usage = bool(lines) and lines[0].startswith("usage:")
    if usage:                                     # argparse: the synopsis, then its error line
        i = 1
        while i < len(lines) and lines[i].startswith(" "):
            i += 1
        lines = lines[i:]
    problems = []
    if len(lines) != 1:
        problems.append(f"stderr has {len(lines)} lines{' after the usage synopsis' if usage else ''}, not 1")
    line = lines[-1] if lines else ""
    prefixes = (f"fp4ref {command}:", f"fp4ref {command} ") + (("fp4ref:",) if usage else ())
    if lines and not line.startswith(prefixes):
        problems.append(f"the error line does not start with 'fp4ref {command}'")
    return line, problems


def _short(text: str, tmp: Path) -> str:
    return text.replace(str(tmp), "TMP").replace(str(REPO), "REPO")


def run_category(cat: Category, tmp: Path, commands: set[str] | None = None) -> Result:
    """Provoke one category in the (empty) folder tmp and check how it was refused."""
    tmp = Path(tmp)
    if cat.setup:
        cat.setup(tmp)
    before = _snapshot(tmp)
    problems: list[str] = []
    if cat.kind == "api":
        try:
            cat.call(tmp)
        except (ValueError, TypeError) as err:
            status, message = type(err).__name__, str(err)
            if "\n" in message or not message.strip():
                problems.append("the message is not one line")
            if cat.expect not in message:
                problems.append(f"the message does not say {cat.expect!r}")
        except Exception as err:     # anything else is a bug, not a refusal
            status, message = type(err).__name__, str(err).splitlines()[0] if str(err) else ""
            problems.append(f"raised {status}, not ValueError or TypeError")
        else:
            status, message = "returned", ""
            problems.append("returned without an error")
    else:
        commands = cli_commands() if commands is None else commands
        if cat.command not in commands:
            return Result(cat.id, "cli", True, "skipped",
                          f"`fp4ref {cat.command}` is not a command of this fp4ref", skipped=True)
        argv = [a.replace("{tmp}", str(tmp)) for a in cat.argv]
        out = _out(argv)
        out_before = _snapshot(out) if out and tmp not in out.parents else None
        rc, stderr = _run_cli(cat, argv, tmp)
        message, problems = _error_line(stderr, cat.command)
        status = "timeout" if rc is None else f"exit {rc}"
        if rc is None:
            problems.append(f"still running after {TIMEOUT_S} s")
        elif cat.interrupt and rc != 130:
            problems.append("exit status is not 130 after SIGINT")
        elif rc == 0:
            problems.append("exit status 0")
        elif rc == 3:
            problems.append("exit status 3 (internal error)")
        elif rc < 0:
            problems.append(f"killed by signal {-rc}")
        for marker in ("Traceback", "Exception ignored"):
            if marker in stderr:
                problems.append(f"'{marker}' on stderr")
        if cat.expect not in message:
            problems.append(f"the message does not say {cat.expect!r}")
        if out and tmp not in out.parents:
            if _snapshot(out) != out_before:
                problems.append(f"{out} was changed")
            if _leftovers(out):
                problems.append(f"left {', '.join(_leftovers(out))} beside {out}")
    after = _snapshot(tmp)
    if after != before:
        old, new = dict(before or []), dict(after or [])
        changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        problems.append("wrote or changed " + ", ".join(changed[:3]) + (" ..." if len(changed) > 3 else ""))
    return Result(cat.id, cat.kind, not problems, status, _short(message, tmp), problems)


def run_campaign(categories: list[Category] | None = None, jobs: int = 2) -> list[Result]:
    """Every category, each in its own temporary folder; results in the categories' order."""
    cats = CATEGORIES if categories is None else categories
    commands = cli_commands()

    def one(cat: Category) -> Result:
        with tempfile.TemporaryDirectory(prefix=f"fp4ref-badinput-{cat.id}-") as tmp:
            return run_category(cat, Path(tmp), commands)

    with ThreadPoolExecutor(max(1, jobs)) as pool:
        return list(pool.map(one, cats))


# ------------------------------------------------------------------------- the table

def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def how(cat: Category) -> str:
    """How a category is provoked, as a table cell."""
    if cat.kind == "api":
        return f"`{cat.how}`"
    argv = " ".join(shlex.quote(a.replace("{tmp}", "TMP")) for a in cat.argv)
    notes = [cat.how] if cat.how else []
    notes += [f"{k}={v.replace('{tmp}', 'TMP')}" for k, v in cat.env]
    if cat.stdout == "full":
        notes.append("stdout is /dev/full")
    elif cat.stdout == "closed":
        notes.append("stdout is a pipe nobody reads")
    if cat.fsize:
        notes.append(f"file size limit {cat.fsize // 1024} KiB (RLIMIT_FSIZE)")
    if cat.interrupt:
        notes.append("SIGINT once the first file is in its temporary folder (fsync slowed)")
    return f"`fp4ref {argv}`" + (": " + "; ".join(notes) if notes else "")


def result_text(r: Result) -> str:
    if r.skipped:
        return f"skipped: {r.message}"
    text = f"{r.status}: {r.message[:80]}" + ("..." if len(r.message) > 80 else "")
    return text if r.ok else f"**FAIL** ({'; '.join(r.problems)}) {text}"


def table(results: list[Result], categories: list[Category] | None = None) -> str:
    """The markdown table: id, what, how, result."""
    cats = {c.id: c for c in (CATEGORIES if categories is None else categories)}
    lines = ["| id | what | how | result |", "|---|---|---|---|"]
    for r in results:
        c = cats[r.id]
        lines.append(f"| `{r.id}` | {_cell(c.what)} | {_cell(how(c))} | {_cell(result_text(r))} |")
    return "\n".join(lines) + "\n"


def summary(results: list[Result]) -> str:
    cli = sum(r.kind == "cli" for r in results)
    bad = [r.id for r in results if not r.ok]
    skipped = [r.id for r in results if r.skipped]
    return (f"{len(results)} categories ({cli} command line, {len(results) - cli} API): "
            f"{len(results) - len(bad) - len(skipped)} behave"
            + (f", {len(skipped)} skipped ({', '.join(skipped)})" if skipped else "")
            + (f", {len(bad)} DO NOT ({', '.join(bad)})" if bad else ""))


POLICY = """\
# Bad input

fp4ref refuses bad input the same way everywhere. `fp4ref badinput` provokes every category
below and checks it; this page is its output (`fp4ref badinput --markdown docs/bad_input.md`
regenerates it; `tests/test_bad_input.py` runs one test per category).

Policy:

- **One line.** A command prints exactly one error line on stderr, `fp4ref COMMAND: error: ...`,
  and never a traceback. argparse's own usage errors (an unknown option or choice) print the
  usage synopsis first; the error is still one line. A bug, as opposed to bad input, is reported
  as one line too, `fp4ref COMMAND: internal error (...)`, with exit status 3
  (`FP4REF_DEBUG=1` shows the traceback); no category below may end that way.
- **Exit status.** 2 for bad input (a `ValueError`, `TypeError` or `OSError`: unwritable output,
  a full disk, a closed stdout; a missing simulator), 130 for Ctrl-C, 1 for a check that found a
  fault (`fp4ref golden verify` on a corrupt pack, `fp4ref verify` on a failing module: one line
  per pack or mismatch on stdout, one error line on stderr). Never 0.
- **No partial file.** Output folders are written to a hidden `.NAME.tmp-*` folder beside the
  target and renamed into place at the end (`golden/atomic.py`); an error, a full disk or Ctrl-C
  removes the temporary folder, so the target is either the complete new output or exactly what
  was there before (an existing folder is replaced only if it is one of ours). Every input is
  checked before anything is written. The campaign checks that the command's folder (and the
  output path, when it lies elsewhere) is byte for byte as before and that no `.NAME.tmp-*` or
  `.NAME.old-*` folder is left.
- **Public functions** raise `ValueError` (`TypeError` for an unsupported input dtype) with a
  one-line message that names the argument and the first bad element.

How the hard ones are provoked: a full disk is a 64 KiB file size limit (RLIMIT_FSIZE; writes
fail with EFBIG) or stdout on `/dev/full`; unwritable output is a folder under a regular file or
under `/proc` (both fail for root too); Ctrl-C is a real SIGINT, sent once the first file of the
pack is in its temporary folder (fsync is slowed in that one subprocess so the signal lands
mid-write). Commands run with buffered stdout (no `PYTHONUNBUFFERED`), as they do for a user.
"""


START, END = marker_pair("badinput")


def markdown(results: list[Result], categories: list[Category] | None = None) -> str:
    return f"{POLICY}\n{summary(results)}.\n\n{table(results, categories)}"


def _check_markdown_target(path: Path) -> None:
    """--markdown FILE: a new file, one of ours (docs/bad_input.md), or a file with the markers."""
    if not path.parent.is_dir():
        raise ValueError(f"--markdown: {path.parent} is not a folder")
    if os.path.lexists(path):
        if not path.is_file():
            raise ValueError(f"--markdown: {path} is not a regular file")
        text = path.read_text(errors="replace")
        if START in text or END in text:          # a README: both markers, in order
            check_markers(path, "badinput", "--markdown")
        elif not text.startswith(POLICY.splitlines()[0] + "\n"):
            raise ValueError(f"--markdown: {path} is neither a bad-input page nor marked with "
                             f"{START} ... {END}; refusing to overwrite it")


def render_into(path: Path, results: list[Result], categories: list[Category] | None = None) -> str:
    """The new text of --markdown FILE: the whole page, or for a file with the markers (a README)
    the summary and the table between them."""
    text = path.read_text() if path.is_file() else ""
    if START in text or END in text:
        check_markers(path, "badinput", "--markdown")
        return splice(text, "badinput", f"{summary(results)}.\n\n{table(results, categories)}")
    return markdown(results, categories)


def write_atomic(path: Path, text: str) -> None:
    """Write a file through a temporary file beside it and a rename: all of it or nothing."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ------------------------------------------------------------------------- the command

def add_parser(sub) -> None:
    b = sub.add_parser("badinput", help="the bad-input campaign: every command against every kind of bad input",
                       description="Provoke every bad-input category (invalid formats and options, wrong "
                       "dtypes and shapes, NaN/Inf, garbled packs, missing files, unwritable output, a full "
                       "disk, Ctrl-C mid-write, absurd sizes) and check each gives one error line, a non-zero "
                       "exit and no partial file. Prints the table; exit 0 only if every category behaves.")
    b.add_argument("--markdown", metavar="FILE", action="append",
                   help="(repeatable) also write the policy and the table to FILE (docs/bad_input.md), atomically; in a "
                   f"file that holds the markers {START} and {END} (a README), only the table between them")
    b.add_argument("--only", help="comma-separated category ids (default: all)")
    b.add_argument("--jobs", type=int, default=2, help="categories run in parallel (default 2)")


def cmd_badinput(args) -> int:
    md = getattr(args, "markdown", None) or []
    md = [md] if isinstance(md, str) else md
    for f in md:
        _check_markdown_target(Path(f))
    jobs = getattr(args, "jobs", 2)
    if jobs is None or jobs < 1:
        raise ValueError(f"--jobs must be >= 1, got {jobs}")
    cats = CATEGORIES
    only = getattr(args, "only", None)
    if only:
        ids = [s.strip() for s in only.split(",") if s.strip()]
        known = {c.id for c in CATEGORIES}
        unknown = [i for i in ids if i not in known]
        if unknown or not ids:
            raise ValueError(f"--only: {', '.join(unknown) or 'no ids'}: not a category (fp4ref badinput "
                             "lists them all)")
        cats = [c for c in CATEGORIES if c.id in ids]
    if os.environ.get(_IN_CAMPAIGN):
        raise ValueError("already inside a bad-input campaign; not starting another")
    results = run_campaign(cats, jobs)
    print(table(results, cats), end="")
    print(summary(results))
    for f in md:
        write_atomic(Path(f), render_into(Path(f), results, cats))
    bad = [r.id for r in results if not r.ok]
    if bad:
        print(f"fp4ref badinput: error: {len(bad)} categories do not behave: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0
