"""RTL mutation campaign (issue 8 part 1): generate mutants of every RTL module, run the golden
benches on each, report killed and surviving mutants per module (docs/mutation.md).

Generator (textual, on the comment-stripped Verilog; `include lines stay as they are):
  swap      operator swaps: + -, & | (and & ^), ^ &, && ||, < <=, > >=, == !=, << >>,
            reduction & |, ~& ~|
  drop      unary ~, ! and - dropped
  const     numeric literals (sized and unsized) plus and minus one
  cond      inverted conditions: if (c) -> if (!(c)); c ? a : b -> !(c) ? a : b
  bits      dropped bits: a part-select loses its MSB or LSB (replaced by 0), a bit-select
            (or an array word) is forced to 0
  stuck     each output-port bit stuck at 0 and at 1, by an output shim module: the module is
            renamed <name>__core (its text otherwise intact) and a shim <name> with the same
            header forces the bit
Excluded: `directive lines, the module header (parameter defaults and port ranges), the
declaration part of wire/reg/localparam statements (their ranges; a localparam's value is
kept), and the step clause of for loops (a loop that never ends is not a useful mutant).

Campaign: each module has runs (unit, packs, parameters), tried in order; the first run that
fails kills the mutant. Classification: killed (a mismatch, a failed bench, a later run that
does not build), survived, stillborn (the first run does not build: not counted), timeout.
Results are cached per mutant hash in build/mutation/results/.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import threading
import random
import re
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from . import process

from fp4ref import paths

RTL = paths.rtl()
EQUIVALENT = Path(__file__).resolve().parent / "mutation_equivalent.json"
VERSION = 1                       #: bump when a change of this file changes the outcome

OPS = ("swap", "drop", "const", "cond", "bits", "stuck")


# =============================================================================== generator

def strip_comments(text: str) -> str:
    """Verilog text without // and /* */ comments (newlines kept, so line numbers hold)."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<sized>\d+\s*'[sS]?[bBoOdDhH]\s*[0-9a-fA-F_xXzZ?]+)
  | (?P<based>'[sS]?[bBoOdDhH]\s*[0-9a-fA-F_xXzZ?]+)
  | (?P<real>\d+\.\d+)
  | (?P<num>\d[\d_]*)
  | (?P<ident>`?[A-Za-z_$][\w$]*)
  | (?P<op><<<|>>>|===|!==|<<|>>|<=|>=|==|!=|&&|\|\||~&|~\||~\^|\^~|\+:|-:|\*\*|[-+*/%&|^~!<>=?:;,.#@()\[\]{}'])
""", re.X)

_DECL = {"function", "task", "wire", "reg", "input", "output", "inout", "localparam", "genvar", "integer", "logic",
         "tri", "supply0", "supply1"}
_OPEN, _CLOSE = "([{", ")]}"


@dataclass
class Tok:
    kind: str
    text: str
    start: int
    end: int
    excluded: bool = False
    depth: int = 0               #: paren/bracket/brace depth before the token
    in_assign: bool = False      #: an = (or assign) came earlier in this statement


def tokenize(text: str) -> list[Tok]:
    toks, i = [], 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m:                           # anything unknown: a one-character token
            toks.append(Tok("op", text[i], i, i + 1))
            i += 1
            continue
        if m.lastgroup != "ws":
            toks.append(Tok(m.lastgroup, m.group(), m.start(), m.end()))
        i = m.end()
    _mark(text, toks)
    return toks


def _match(toks: list[Tok], k: int) -> int:
    """Index of the bracket closing toks[k] (an opening one)."""
    depth = 0
    for j in range(k, len(toks)):
        if toks[j].text in _OPEN:
            depth += 1
        elif toks[j].text in _CLOSE:
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def _mark(text: str, toks: list[Tok]) -> None:
    """Set excluded, depth and in_assign on every token."""
    # directive lines (`timescale, `include, `define, `resetall, `default_nettype)
    directive_lines = set()
    for m in re.finditer(r"(?m)^[ \t]*`(?:timescale|include|define|resetall|default_nettype|"
                         r"ifndef|ifdef|endif|else|undef)\b.*$", text):
        directive_lines.add((m.start(), m.end()))
    for t in toks:
        if any(a <= t.start < b for a, b in directive_lines):
            t.excluded = True
    k = 0
    depth = 0
    in_assign = False
    decl = None             # None, "decl" (until = or ;) or "param" (until ; or the header's end)
    for_step_end = -1
    n = len(toks)
    while k < n:
        t = toks[k]
        t.depth = depth
        if t.text == "module" and t.kind == "ident":
            # the header: module NAME [#( ... )] ( ... ) ;
            j = k + 1
            while j < n and toks[j].text != ";":
                j += 1
            for x in toks[k:j + 1]:
                x.excluded = True
            k = j + 1
            in_assign = False
            continue
        if t.text == "for" and k + 1 < n and toks[k + 1].text == "(":
            close = _match(toks, k + 1)
            semis = [j for j in range(k + 2, close) if toks[j].text == ";"]
            if len(semis) >= 2:
                for x in toks[semis[1]:close]:
                    x.excluded = True
            for_step_end = close
        if t.kind == "ident" and t.text == "parameter":
            decl = "param"
        elif t.kind == "ident" and t.text in _DECL and decl is None:
            decl = "decl"
        if decl is not None:
            t.excluded = True
        if t.text in _OPEN:
            depth += 1
        elif t.text in _CLOSE:
            depth = max(0, depth - 1)
        t.in_assign = in_assign
        if t.text == "=" or (t.kind == "ident" and t.text == "assign"):
            in_assign = True
            if decl == "decl" and t.text == "=":
                decl = None
        if t.text == "<=" and not in_assign and depth == 0:
            in_assign = True                    # a nonblocking assignment
            t.excluded = True
        if t.text == ";" or (t.kind == "ident" and t.text in ("begin", "end", "else", "endcase",
                                                                "generate", "endgenerate")):
            if not (for_step_end > k and t.text == ";"):
                in_assign = False
                decl = None if decl != "param" or t.text == ";" else decl
        k += 1
    del for_step_end


@dataclass
class Mutant:
    module: str          #: campaign module (e.g. fp4_encode, fp4_lut_nf4)
    file: str            #: the mutated file, relative to rtl/
    op: str              #: operator class (OPS)
    id: str              #: stable name: <module>:<op>:L<line>:<n> or <module>:stuck<v>:<port>[<bit>]
    line: int
    find: str            #: the original snippet (comment-stripped)
    replace: str
    start: int = 0       #: offsets in the comment-stripped text
    end: int = 0
    stuck: tuple | None = None   #: (port, bit, value) for the stuck-at class
    #: an include file (under rtl/) that the mutant changes: start and end are offsets in it,
    #: and the target's file gets the mutated header in place of its `include line
    header: str = ""

    def text(self, stripped: str, core: str) -> str:
        """The mutated file from the comment-stripped original."""
        if self.header:
            hdr = strip_comments((RTL / self.header).read_text())
            line = f'`include "{self.header}"'
            assert line in stripped, f"{core} does not include {self.header}"
            return stripped.replace(line, hdr[:self.start] + self.replace + hdr[self.end:], 1)
        if self.stuck is None:
            return stripped[:self.start] + self.replace + stripped[self.end:]
        return stuck_shim(stripped, core, *self.stuck)


def _lit_value(lit: str) -> tuple[int, int | None, str, bool] | None:
    """(value, width or None, base letter, signed) of a literal; None with x/z digits."""
    m = re.fullmatch(r"(\d+)?\s*'([sS]?)([bBoOdDhH])\s*([0-9a-fA-F_xXzZ?]+)", lit)
    if not m:
        return int(lit.replace("_", "")), None, "d", False
    digits = m.group(4).replace("_", "")
    if re.search(r"[xXzZ?]", digits):
        return None
    base = m.group(3).lower()
    value = int(digits, {"b": 2, "o": 8, "d": 10, "h": 16}[base])
    return value, int(m.group(1)) if m.group(1) else None, base, bool(m.group(2))


def _lit_text(value: int, width: int | None, base: str, signed: bool) -> str:
    if width is None:
        return str(value)
    digits = {"b": f"{value:0{width}b}", "o": f"{value:o}", "d": str(value),
              "h": f"{value:0{-(-width // 4)}X}"}[base]
    return f"{width}'{'s' if signed else ''}{base}{digits}"


_SWAPS = {"+": ["-"], "-": ["+"], "&": ["|", "^"], "|": ["&"], "^": ["&"], "&&": ["||"],
          "||": ["&&"], "<": ["<="], "<=": ["<"], ">": [">="], ">=": [">"], "==": ["!="],
          "!=": ["=="], "<<": [">>"], ">>": ["<<"], "<<<": [">>>"], ">>>": ["<<<"]}
_UNARY_BEFORE = set("([{,=?:;!~&|^+-*/%<>") | {"<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
                                               "~&", "~|", "+:", "-:", "assign", "return"}


def _is_unary(toks: list[Tok], k: int) -> bool:
    if k == 0:
        return True
    prev = toks[k - 1]
    return prev.text in _UNARY_BEFORE or (prev.kind == "ident" and prev.text in
                                          ("begin", "else", "assign", "return"))


def text_mutants(module: str, file: str, stripped: str) -> list[Mutant]:
    """Every textual mutant of one file, in source order (deterministic)."""
    toks = tokenize(stripped)
    raw: list[tuple[str, int, int, str]] = []       # (op, start, end, replacement)
    n = len(toks)
    for k, t in enumerate(toks):
        if t.excluded:
            continue
        s, e = t.start, t.end
        if t.kind == "op":
            if t.text in ("~&", "~|"):
                raw.append(("swap", s, e, "~|" if t.text == "~&" else "~&"))
                raw.append(("drop", s, e, t.text[1]))
            elif t.text in ("~", "!"):
                raw.append(("drop", s, e, ""))
            elif t.text in ("&", "|") and _is_unary(toks, k):
                raw.append(("swap", s, e, "|" if t.text == "&" else "&"))
            elif t.text == "-" and _is_unary(toks, k):
                raw.append(("drop", s, e, ""))
            elif t.text in ("+", "^") and _is_unary(toks, k):
                pass
            elif t.text in ("<=",) and not (t.depth > 0 or t.in_assign):
                pass
            elif t.text in _SWAPS:
                for r in _SWAPS[t.text]:
                    raw.append(("swap", s, e, r))
            elif t.text == "?":
                start = _cond_start(toks, k)
                if start is not None and start < k:
                    a, b = toks[start].start, toks[k - 1].end
                    raw.append(("cond", a, b, f"!({stripped[a:b]})"))
            elif t.text == "[" and k > 0 and (toks[k - 1].kind == "ident" or toks[k - 1].text == "]"):
                raw += _bit_mutants(stripped, toks, k)
        elif t.kind in ("sized", "num"):
            v = _lit_value(t.text)
            if v is None:
                continue
            value, width, base, signed = v
            if value + 1 < (1 << width if width else 1 << 32):
                raw.append(("const", s, e, _lit_text(value + 1, width, base, signed)))
            if value > 0:
                raw.append(("const", s, e, _lit_text(value - 1, width, base, signed)))
        elif t.kind == "ident" and t.text == "if" and k + 1 < n and toks[k + 1].text == "(":
            close = _match(toks, k + 1)
            a, b = toks[k + 2].start, toks[close - 1].end
            raw.append(("cond", a, b, f"!({stripped[a:b]})"))
    out, seen = [], set()
    per_line: dict[tuple[str, int], int] = {}
    for op, s, e, rep in raw:
        if (s, e, rep) in seen or stripped[s:e] == rep:
            continue
        seen.add((s, e, rep))
        line = stripped.count("\n", 0, s) + 1
        idx = per_line.get((op, line), 0)
        per_line[(op, line)] = idx + 1
        out.append(Mutant(module, file, op, f"{module}:{op}:L{line}:{idx}", line, stripped[s:e],
                          rep, s, e))
    return out


def _cond_start(toks: list[Tok], q: int) -> int | None:
    """Index of the first token of the condition of the ternary whose ? is toks[q]."""
    depth = 0
    stops = {"=", ":", "?", ",", ";", "<=", "assign", "begin", "return"}
    for j in range(q - 1, -1, -1):
        t = toks[j].text
        if t in _CLOSE:
            depth += 1
        elif t in _OPEN:
            if depth == 0:
                return j + 1
            depth -= 1
        elif depth == 0 and t in stops:
            return j + 1
    return None


def _bit_mutants(stripped: str, toks: list[Tok], k: int) -> list[tuple[str, int, int, str]]:
    """Dropped-bit mutants of the select opening at toks[k] (the last of a chain only)."""
    close = _match(toks, k)
    if close + 1 < len(toks) and toks[close + 1].text in ("[", "=", "<="):
        return []                                   # not the last select, or an lvalue
    first = k - 1
    while toks[first].text == "]":                  # walk back over a chain a[i][j]
        depth = 0
        for j in range(first, -1, -1):
            if toks[j].text == "]":
                depth += 1
            elif toks[j].text == "[":
                depth -= 1
                if depth == 0:
                    first = j - 1
                    break
    if toks[first].kind != "ident" or toks[first].text.startswith("`") or toks[first].excluded:
        return []
    head = stripped[toks[first].start:toks[k].start]
    a, b = toks[first].start, toks[close].end
    inner = [t for t in toks[k + 1:close]]
    top = [t for t in inner if t.depth == toks[k].depth + 1]
    body = stripped[toks[k].start + 1:toks[close].start].strip()
    out = []
    colon = [t for t in top if t.text in (":", "+:", "-:")]
    if not colon:
        out.append(("bits", a, b, "1'b0"))
        return out
    c = colon[0]
    lhs = stripped[toks[k].start + 1:c.start].strip()
    rhs = stripped[c.end:toks[close].start].strip()
    if c.text == ":":
        out.append(("bits", a, b, f"{{1'b0, {head}[({lhs})-1:{rhs}]}}"))
        out.append(("bits", a, b, f"{{{head}[{lhs}:({rhs})+1], 1'b0}}"))
    elif c.text == "+:":
        out.append(("bits", a, b, f"{{1'b0, {head}[{lhs} +: ({rhs})-1]}}"))
        out.append(("bits", a, b, f"{{{head}[({lhs})+1 +: ({rhs})-1], 1'b0}}"))
    else:
        out.append(("bits", a, b, f"{{1'b0, {head}[({lhs})-1 -: ({rhs})-1]}}"))
        out.append(("bits", a, b, f"{{{head}[{lhs} -: ({rhs})-1], 1'b0}}"))
    del body
    return out


# ------------------------------------------------------------------------- the output shim

def _split_top(text: str) -> list[str]:
    """Split at commas outside brackets."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur))
    return parts


def module_header(stripped: str, name: str) -> tuple[int, int, str, str]:
    """(start, end, parameter text, port text) of `module name ...;` in the stripped text."""
    m = re.search(rf"\bmodule\s+{re.escape(name)}\b", stripped)
    if not m:
        raise ValueError(f"module {name} not found")
    i = m.end()
    params = ""
    rest = stripped[i:]
    j = len(rest) - len(rest.lstrip())
    if rest[j:].startswith("#"):
        p0 = rest.index("(", j)
        p1 = _paren_end(rest, p0)
        params = rest[p0 + 1:p1]
        j = p1 + 1
    q0 = rest.index("(", j)
    q1 = _paren_end(rest, q0)
    semi = rest.index(";", q1)
    return m.start(), i + semi + 1, params, rest[q0 + 1:q1]


def _paren_end(text: str, i: int) -> int:
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "(":
            depth += 1
        elif text[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unbalanced parentheses")


_PORT = re.compile(r"^\s*(input|output|inout)\s+(?:(wire|reg|logic)\s+)?(signed\s+)?(\[[^\]]*\])?\s*(\w+)\s*$",
                   re.S)


def ports(stripped: str, name: str) -> list[tuple[str, str, str, str]]:
    """(direction, signed, range, name) of each ANSI port of module ``name``."""
    _, _, _, text = module_header(stripped, name)
    out = []
    for p in _split_top(text):
        m = _PORT.match(p)
        if not m:
            raise ValueError(f"module {name}: cannot read port {p.strip()!r}")
        out.append((m.group(1), (m.group(3) or "").strip(), m.group(4) or "", m.group(5)))
    return out


def stuck_shim(stripped: str, core: str, port: str, bit: int, value: int) -> str:
    """The file with module ``core`` renamed <core>__core and a shim ``core`` forcing bit
    ``bit`` of output ``port`` to ``value``."""
    start, end, params, port_text = module_header(stripped, core)
    pnames = [re.match(r"\s*(?:parameter\s+)?(?:integer\s+|signed\s+)?(?:\[[^\]]*\]\s*)?(\w+)", p).group(1)
              for p in _split_top(params)] if params.strip() else []
    plist = ports(stripped, core)
    renamed = (stripped[:start] + re.sub(rf"\bmodule\s+{core}\b", f"module {core}__core",
                                         stripped[start:end], count=1) + stripped[end:])
    header = "\n".join(re.sub(r"\boutput\s+reg\b", "output wire", p.strip()) + ","
                       for p in _split_top(port_text)).rstrip(",")
    direction, signed, rng, _ = next(p for p in plist if p[3] == port)
    assert direction == "output"
    overrides = ", ".join(f".{p}({p})" for p in pnames)
    conns = ", ".join(f".{p[3]}({p[3] + '__raw' if p[3] == port else p[3]})" for p in plist)
    mask = f"(128'd1 << {bit})"
    force = f"{port}__raw | {mask}" if value else f"{port}__raw & ~{mask}"
    shim = "\n".join([
        "",
        "`default_nettype none",
        f"// mutation shim: {port}[{bit}] stuck at {value}",
        f"module {core} {'#(' + params + ') ' if pnames else ''}(",
        header,
        ");",
        f"    wire {signed} {rng} {port}__raw;",
        f"    {core}__core {'#(' + overrides + ') ' if pnames else ''}u_core ({conns});",
        f"    assign {port} = {force};",
        "endmodule",
        "`default_nettype wire",
        "",
    ])
    return renamed + shim


# ============================================================================ the campaign

@dataclass
class Run:
    """One bench run of a module: a unit, its packs (one field layout), the top's sources."""
    unit: str
    specs: list
    top: str                      #: the module the lane wrapper instantiates
    sources: tuple[str, ...]      #: files under rtl/ (the mutated one is swapped in)
    label: str
    shared: dict = field(default_factory=dict)   #: shared-port overrides (runner.run_unit)


@dataclass
class Target:
    module: str                   #: the mutated module
    file: str                     #: its file under rtl/
    runs: list[Run] = field(default_factory=list)
    sim: str = "verilator"
    #: non-empty when the benches apply the module's whole input space (within its contract):
    #: then a survivor computes the reference's outputs on every input, i.e. it is equivalent
    exhaustive: str = ""
    #: an include file of the module (under rtl/) whose text is mutated instead of the
    #: module's own: each mutant is the module with the mutated header inlined
    header: str = ""

    @property
    def name(self) -> str:
        """The campaign's name of the target: the module, or <header stem>@<module>."""
        return f"{Path(self.header).stem}@{self.module}" if self.header else self.module


def _encode_runs(label_prefix: str = "", extra: tuple = ()) -> list[Run]:
    from fp4ref.emu import get_format
    from fp4ref.golden.defaults import encode_specs
    from fp4ref.golden.pack import PackSpec

    runs = []
    # order: the cheapest likely killer first
    for name, src in (("e2m1", "bfloat16"), ("e4m3", "bfloat16"), ("e5m2", "bfloat16"),
                      ("e3m0", "bfloat16"), ("e2m1_nosub", "bfloat16"), ("e4m3fnuz", "bfloat16"),
                      ("e2m1", "float32"), ("e2m3", "float16"), ("e5m2", "float16")) + tuple(extra):
        specs = encode_specs(name, src)
        if src == "float32":          # level 1 in every mode, saturate only: a small set
            specs = [PackSpec("encode", get_format(name), src, s.rounding, "saturate", "level1")
                     for s in specs if s.overflow == "saturate"]
        runs.append(Run("encode", specs, "fp4_encode", ("fp4_round.v", "fp4_encode.v"),
                        f"encode {name} {src}"))
    return runs


#: the decode runs, most likely killers first; with every preset, a survivor is equivalent on
#: every preset format (each run applies every code of its format)
DECODE_FORMATS = ("e2m1", "e4m3", "e5m2", "e4m3fnuz", "e2m1_nosub", "e3m0", "e1m2", "e3m4", "e2m3",
                  "e3m2", "e2m1_b0", "e3m0_b0", "e4m3_ieee", "e5m2fnuz", "e4m3b11fnuz")
MAC_PRODUCTS = (("e2m1", "e2m1"), ("e3m0", "e2m1"), ("e2m1_nosub", "e2m1"), ("e1m2", "e2m1"),
                ("e4m3", "e4m3"))


def targets() -> list[Target]:
    """Every RTL module of the campaign and its runs, smallest first."""
    from fp4ref.emu import get_format
    from fp4ref.emu.lookup import lookup_names
    from fp4ref.golden.defaults import (LUT_MUL_FORMATS, MAC_DOTS, MAC_DOTS_SHIFT_PORT, MAC_PRODUCT_PAIRS,
                                 dot_spec, encode_specs)
    from fp4ref.golden.lut_pack import LutPackSpec
    from fp4ref.golden.mac_pack import MacPackSpec
    from fp4ref.golden.mx_pack import MxPackSpec
    from fp4ref.golden.pack import PackSpec

    out = []
    names = [n for n in lookup_names() if (RTL / "lut" / f"fp4_lut_{n}.v").is_file()]
    for n in sorted(names):
        out.append(Target(f"fp4_lut_{n}", f"lut/fp4_lut_{n}.v",
                          [Run("lut_decode", [LutPackSpec("lut_decode", n)], f"fp4_lut_{n}",
                               (f"lut/fp4_lut_{n}.v",), f"lut_decode {n}")],
                          exhaustive="the bench applies all 16 codes, the decoder's only input"))
    for n in LUT_MUL_FORMATS:
        src = RTL / "cost" / f"cost_mul_{n}.v"
        extra = tuple(f"cost/{s.name}" for s in sorted(src.parent.glob("*.v"))
                      if s != src and s.stem in set(re.findall(r"\b\w+\b", src.read_text())))
        out.append(Target(f"cost_mul_{n}", f"cost/cost_mul_{n}.v",
                          [Run("lut_mul", [LutPackSpec("lut_mul", n)], f"cost_mul_{n}",
                               (f"cost/cost_mul_{n}.v",) + extra, f"lut_mul {n}")],
                          exhaustive="the bench applies every ordered pair of valid codes, the "
                                     "multiplier's whole input space under its contract"))
    F = get_format
    # the contract's reserved mode codes 6 and 7 behave as rne: rne packs with mode_i = 6, 7
    reserved = [Run("encode", [s for s in encode_specs("e2m1", "bfloat16") if s.rounding == "rne"],
                    "fp4_encode", ("fp4_round.v", "fp4_encode.v"), f"encode e2m1 rne as mode code {c}",
                    {"mode_i": c}) for c in (6, 7)]
    out.append(Target("fp4_round", "fp4_round.v", _encode_runs() + reserved))
    out.append(Target("fp4_decode", "fp4_decode.v",
                      [Run("decode", [PackSpec("decode", F(n))], "fp4_decode", ("fp4_decode.v",),
                           f"decode {n}") for n in DECODE_FORMATS],
                      exhaustive=f"the benches apply every code of each of the {len(DECODE_FORMATS)} "
                                 "preset formats (equivalent for those parameter sets)"))
    out.append(Target("fp4_mx_block", "fp4_mx_block.v",
                      [Run("mx_block", [MxPackSpec()], "fp4_mx_block", ("fp4_mx_block.v",), "mx_block")]))
    mac = [Run("product", [MacPackSpec("product", F(x), F(w))], "fp4_mac", ("fp4_mac.v",),
               f"product {x} x {w}") for x, w in MAC_PRODUCTS]
    mac += [Run("dot", [dot_spec(*row)], "fp4_mac", ("fp4_mac.v",),
                "dot {} x {} L{} W{} {} {} B{}".format(*row) + (f" SW{row[7]}" if len(row) > 7 else ""))
            for row in MAC_DOTS + MAC_DOTS_SHIFT_PORT]
    # then the other product pairs of the default set (appended: cached verdicts stay valid)
    mac += [Run("product", [MacPackSpec("product", F(x), F(w))], "fp4_mac", ("fp4_mac.v",),
                f"product {x} x {w}") for x, w in MAC_PRODUCT_PAIRS if (x, w) not in MAC_PRODUCTS]
    out.append(Target("fp4_mac", "fp4_mac.v", mac))
    # fp4_encode also gets the widest fraction (E3M4: q needs M + 1 = 5 bits of a bfloat16's 8);
    # appended, so cached verdicts stay valid (fp4_round keeps the shorter list and its cache)
    out.append(Target("fp4_encode", "fp4_encode.v", _encode_runs(extra=(("e3m4", "bfloat16"),))))
    return out + block_targets()


def block_targets() -> list[Target]:
    """The block units' modules (docs/block.md §7-§12), each run on its default packs
    (golden.defaults.BLOCK_BUILDS); a file shared by two units gets the runs of both."""
    from fp4ref.golden.defaults import block_specs

    from .contracts import CONTRACTS

    runs: dict[str, list[Run]] = {}
    for group in block_specs():
        c = CONTRACTS[group[0].unit]
        runs.setdefault(c.unit, []).append(Run(c.unit, group, c.module, c.sources, group[0].name))
    out = [Target(CONTRACTS[u].module, f"{CONTRACTS[u].module}.v", r) for u, r in runs.items()]
    out += [Target(CONTRACTS[u].module, f"{CONTRACTS[u].module}.v", runs[u], header=h)
            for h, units in BLOCK_HEADERS.items() for u in units]
    shared: dict[str, list[Run]] = {}
    for u, r in runs.items():
        for src in CONTRACTS[u].sources:
            if src != f"{CONTRACTS[u].module}.v" and src in BLOCK_SHARED_FILES:
                shared.setdefault(src, []).extend(r)
    return out + [Target(BLOCK_SHARED_FILES[f], f, r) for f, r in shared.items()]


#: files the block units share (file -> module mutated): their mutants run the packs of every
#: unit that includes them
#: include files with logic (file -> the units whose top module includes it): each includer is a
#: target of its own, its mutants the header's, inlined into that module
BLOCK_HEADERS = {"fp4_quant_common.vh": ("mx_quant", "nvfp4_quant")}
BLOCK_SHARED_FILES = {"fp4_fp32_round.v": "fp4_fp32_round", "fp4_e2m1_sum.v": "fp4_e2m1_sum",
                      "fp4_quant_elem.v": "fp4_quant_elem"}


def _output_widths(target: Target, pack_root: Path) -> dict[str, int]:
    """Widest per-copy width of each output port over the target's runs."""
    from fp4ref.golden import manifest as manifests
    from fp4ref.golden.pack import ensure

    from .contracts import CONTRACTS, port_widths

    widths: dict[str, int] = {}
    for run in target.runs:
        contract = CONTRACTS[run.unit]
        record = manifests.verify(ensure(run.specs[0], pack_root))
        pw = port_widths(contract, record)
        for port in contract.lane_outputs:
            widths[port] = max(widths.get(port, 0), pw[port])
    return widths


def _range_width(rng: str, params: dict[str, int]) -> int:
    """Bits of a port range ('' -> 1, '[31:0]' -> 32, '[S_W-1:0]' with the module's default
    S_W): a parameterized port gets the stuck-at mutants of its widest default instance."""
    if not rng:
        return 1
    m = re.fullmatch(r"\[([^:\]]+):([^\]]+)\]", rng.strip())
    if not m:
        raise ValueError(f"stuck-at mutants: cannot read the port range {rng!r}")
    ends = []
    for expr in m.groups():
        expr = re.sub(r"\b[A-Za-z_]\w*\b", lambda w: str(params[w.group(0)]) if w.group(0) in params
                      else w.group(0), expr)
        if not re.fullmatch(r"[\d\s+\-*()]+", expr):
            raise ValueError(f"stuck-at mutants: cannot evaluate the port range {rng!r}")
        ends.append(eval(expr))          # digits and + - * ( ) only, checked above
    return abs(ends[0] - ends[1]) + 1


def _param_defaults(stripped: str, name: str) -> dict[str, int]:
    """The integer default of each parameter of module ``name`` written as a literal."""
    _, _, params, _ = module_header(stripped, name)
    return {m.group(1): int(m.group(2)) for p in _split_top(params)
            if (m := re.match(r"\s*parameter\s+(?:integer\s+)?(\w+)\s*=\s*(\d+)\s*$", p))}


def generate(target: Target, pack_root: Path | None = None) -> list[Mutant]:
    """Every mutant of a target, deterministic order: textual ones in source order, then stuck-at."""
    if target.header:                     # the header's text, inlined into the module
        hdr = strip_comments((RTL / target.header).read_text())
        return [replace(m, header=target.header)
                for m in text_mutants(target.name, target.header, hdr)]
    src = (RTL / target.file).read_text()
    stripped = strip_comments(src)
    muts = text_mutants(target.module, target.file, stripped)
    core = target.module
    if all(run.top != core for run in target.runs):     # a submodule: its own output ports
        defaults = _param_defaults(stripped, core)
        widths = {p[3]: _range_width(p[2], defaults) for p in ports(stripped, core) if p[0] == "output"}
    else:
        widths = _output_widths(target, pack_root or paths.build("packs"))
    for port, width in widths.items():
        for bit in range(width):
            for value in (0, 1):
                muts.append(Mutant(target.module, target.file, "stuck",
                                   f"{target.module}:stuck{value}:{port}[{bit}]", 0,
                                   f"{port}[{bit}]", f"{value}", stuck=(port, bit, value)))
    return muts


def sample(muts: list[Mutant], limit: int | None, seed: str) -> list[Mutant]:
    """At most ``limit`` mutants, drawn with a seed derived from ``seed`` (source order kept)."""
    if not limit or len(muts) <= limit:
        return muts
    order = list(range(len(muts)))        # a seeded permutation: a smaller budget's sample is
    random.Random(int(hashlib.sha256(seed.encode()).hexdigest()[:16], 16)).shuffle(order)
    keep = set(order[:limit])             # a prefix of a larger one's (cached results reused)
    return [m for i, m in enumerate(muts) if i in keep]


# -------------------------------------------------------------------------------- running

@dataclass
class Outcome:
    id: str
    module: str
    op: str
    status: str          #: killed, survived, stillborn, timeout
    detail: str
    seconds: float
    line: int = 0
    find: str = ""
    replace: str = ""
    cached: bool = False


def _mutant_key(mut: Mutant, target: Target, text: str) -> str:
    blob = json.dumps({"v": VERSION, "text": text, "file": target.file, "sim": target.sim,
                       "runs": [(r.unit, [s.name for s in r.specs], r.top, r.sources)
                                + ((r.shared,) if r.shared else ()) for r in target.runs],
                       "others": {s: hashlib.sha256((RTL / s).read_bytes()).hexdigest()
                                  for r in target.runs for s in r.sources if s != target.file},
                       "vh": [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(RTL.glob("*.vh"))]},
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def cache_get(path: Path) -> dict | None:
    """A cached verdict, or None when there is none or the file is damaged (a run killed while
    writing an older version): a damaged entry is run again, never an error."""
    try:
        rec = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return rec if isinstance(rec, dict) and "status" in rec else None


def write_whole(path: Path, text: str) -> None:
    """Write a file through a temporary file beside it and a rename: whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def cache_put(path: Path, rec: dict) -> None:
    write_whole(path, json.dumps(rec))


def cached_verdict(mut: Mutant, target: Target, text: str, work: Path | None = None) -> dict | None:
    """The cached verdict of a mutant for the target's runs, or for a prefix of them when it
    still holds: appending a run leaves a mutant killed by an earlier run (or stillborn) killed,
    so only the survivors go through the longer list."""
    from dataclasses import replace

    for k in range(len(target.runs), 0, -1):
        t = target if k == len(target.runs) else replace(target, runs=target.runs[:k])
        rec = cache_get((work or paths.build("mutation")) / "results" / f"{_mutant_key(mut, t, text)}.json")
        if rec is None:
            continue
        if k == len(target.runs):
            return rec
        killer = re.match(r"run (\d+) ", rec["detail"])
        if rec["status"] == "stillborn" or (rec["status"] == "killed" and killer and int(killer.group(1)) < k):
            return rec
        return None
    return None


def run_mutant(mut: Mutant, target: Target, pack_root: Path, timeout: float,
               work: Path | None = None, keep: bool = False) -> Outcome:
    """Build and bench one mutant over the target's runs (stopping at the first failure)."""
    stripped = strip_comments((RTL / target.file).read_text())
    text = mut.text(stripped, target.module)
    key = _mutant_key(mut, target, text)
    work = work or paths.build("mutation")
    cache = work / "results" / f"{key}.json"
    base = dict(id=mut.id, module=mut.module, op=mut.op, line=mut.line, find=mut.find,
                replace=mut.replace)
    rec = cached_verdict(mut, target, text, work)
    if rec is not None:
        return Outcome(**base, status=rec["status"], detail=rec["detail"], seconds=rec["seconds"],
                       cached=True)
    wdir = work / "work" / key
    shutil.rmtree(wdir, ignore_errors=True)
    (wdir / "src").mkdir(parents=True)
    mfile = wdir / "src" / Path(target.file).name
    mfile.write_text(text)
    t0 = time.time()
    status, detail = "survived", f"{len(target.runs)} runs pass"
    for i, run in enumerate(target.runs):
        sources = [str(mfile if s == target.file else RTL / s) for s in run.sources]
        job = {"unit": run.unit, "packs": [str(p) for p in _packs(run, pack_root)], "top": run.top,
               "sources": sources, "bdir": str(wdir / f"run{i}"), "sim": target.sim, "shared": run.shared}
        res = _worker_call(job, timeout)
        if res["status"] == "timeout":
            status, detail = "timeout", f"run {i} ({run.label}) over {timeout:.0f} s"
            break
        if res["status"] == "build_failed":
            if i == 0:
                status, detail = "stillborn", res["detail"][-300:]
            else:
                status, detail = "killed", f"run {i} ({run.label}) does not build"
            break
        if res["status"] == "failed":
            status, detail = "killed", f"run {i} ({run.label}): {res['detail']}"
            break
    seconds = time.time() - t0
    if not keep:
        shutil.rmtree(wdir, ignore_errors=True)
    if status != "timeout":             # a timeout may be load: try again next time
        cache_put(cache, {"id": mut.id, "status": status, "detail": detail, "seconds": round(seconds, 2)})
    return Outcome(**base, status=status, detail=detail, seconds=round(seconds, 2))


_PACK_CACHE: dict[tuple, list[Path]] = {}


def _packs(run: Run, root: Path) -> list[Path]:
    from fp4ref.golden.pack import ensure

    key = (str(root), tuple(s.name for s in run.specs))
    if key not in _PACK_CACHE:
        _PACK_CACHE[key] = [ensure(s, root) for s in run.specs]
    return _PACK_CACHE[key]


def _worker_call(job: dict, timeout: float) -> dict:
    """Run one bench in a child process (its own session, killed as a group on timeout)."""
    cmd = [sys.executable, "-m", "fp4ref.rtl_tb.mutation", "--worker", json.dumps(job)]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(paths.import_root()) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    res = process.capture(cmd, timeout, cwd=paths.import_root(), env=env)
    if res.timed_out:
        return {"status": "timeout"}
    for line in reversed(res.stdout.splitlines()):
        if line.startswith("MUTATION-RESULT "):
            return json.loads(line[len("MUTATION-RESULT "):])
    return {"status": "failed", "detail": f"worker exited {res.returncode}: {res.stderr.strip()[-300:]}"}


def job_setup(job: dict):
    """(contract, packs, module parameters, port widths, build folder) of a worker's job."""
    from fp4ref.golden import manifest as manifests

    from .contracts import CONTRACTS, port_widths, reference_params

    contract = CONTRACTS[job["unit"]]
    packs = [Path(p) for p in job["packs"]]
    first = manifests.verify(packs[0])
    bdir = Path(job["bdir"])
    bdir.mkdir(parents=True, exist_ok=True)
    return contract, packs, reference_params(first), port_widths(contract, first), bdir


def worker(job: dict) -> dict:
    """In the child: build the lane wrapper around the (mutated) sources and run the packs."""
    from . import runner

    contract, packs, params, widths, bdir = job_setup(job)
    try:
        run = runner._run_locked(contract, bdir, f"tb_{job['unit']}", widths, contract.copies,
                                 job["top"], params, [Path(s) for s in job["sources"]], packs,
                                 job["sim"], 1, job.get("shared"), math.inf, runner.STALL_S, 0)
    except ValueError as err:
        if "could not build" in str(err):
            return {"status": "build_failed", "detail": str(err)}
        return {"status": "failed", "detail": str(err)[-300:]}
    if run.timeout:                      # a mutant that hangs the bench: detected, as a timeout
        return {"status": "timeout", "detail": str(run.timeout)}
    missing = len(packs) - len(run.results)
    if run.failed or run.mismatches or missing:
        first_line = next((line for r in run.results for line in r.get("first", [])), "")
        return {"status": "failed",
                "detail": f"{run.mismatches} mismatches, {run.failed} failed tests, {missing} packs "
                          f"not run; {first_line[:200]}"}
    return {"status": "passed", "detail": f"{run.vectors} vectors"}


# ------------------------------------------------------------------------------- reporting

def load_equivalent(path: Path = EQUIVALENT) -> dict[str, dict]:
    return json.loads(path.read_text()) if path.is_file() else {}


def summarize(outcomes: list[Outcome], equivalent: dict[str, dict] | None = None) -> list[dict]:
    """Per-module rows: mutants, stillborn, killed, survived, equivalent, timeout, score."""
    equivalent = equivalent or {}
    rows: dict[str, dict] = {}
    for o in outcomes:
        r = rows.setdefault(o.module, {"module": o.module, "mutants": 0, "stillborn": 0, "killed": 0,
                                       "survived": 0, "equivalent": 0, "timeout": 0, "pending": 0})
        r["mutants"] += 1
        review = equivalent.get(o.id, {}) if o.status == "survived" else {}
        if review.get("verdict") == "killed":     # killed by another check (e.g. on Icarus)
            r["killed"] += 1
        elif review:
            r["equivalent"] += 1
        else:
            r[o.status] += 1
    total = {"module": "total", **{k: sum(r[k] for r in rows.values())
                                   for k in ("mutants", "stillborn", "killed", "survived", "equivalent",
                                             "timeout", "pending")}}
    # CPU time of the verdicts as first measured (a cached verdict keeps its original seconds)
    total["cpu_seconds"] = round(sum(o.seconds for o in outcomes), 1)
    out = list(rows.values()) + ([total] if rows else [])
    for r in out:
        # a mutant that makes the checks hang past the timeout is detected (CI would stop there)
        counted = r["killed"] + r["survived"] + r["timeout"]
        detected = r["killed"] + r["timeout"]
        r["score"] = round(detected / counted, 4) if counted else None
        # the raw score counts equivalent survivors against the benches
        raw = counted + r["equivalent"]
        r["raw_score"] = round(detected / raw, 4) if raw else None
    return out


COLUMNS = ("module", "mutants", "stillborn", "killed", "survived", "equivalent", "timeout", "score")


def _columns(rows: list[dict]) -> tuple[str, ...]:
    """COLUMNS, with `pending` (mutants not run yet: --report-only) when there are any."""
    return COLUMNS[:-1] + ("pending", "score") if any(r.get("pending") for r in rows) else COLUMNS


def table_text(rows: list[dict]) -> str:
    COLUMNS = _columns(rows)

    def fmt(r, c):
        v = r[c]
        return "-" if v is None else (f"{v:.1%}" if c == "score" else str(v))
    widths = {c: max(len(c), *(len(fmt(r, c)) for r in rows)) for c in COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) if c == "module" else c.rjust(widths[c]) for c in COLUMNS)]
    for r in rows:
        lines.append("  ".join(fmt(r, c).ljust(widths[c]) if c == "module" else fmt(r, c).rjust(widths[c])
                               for c in COLUMNS))
    return "\n".join(lines)


def table_markdown(rows: list[dict]) -> str:
    COLUMNS = _columns(rows)
    head = "| " + " | ".join(COLUMNS) + " |"
    sep = "|" + "|".join("---" if c == "module" else "---:" for c in COLUMNS) + "|"
    body = ["| " + " | ".join("-" if r[c] is None else (f"{r[c]:.1%}" if c == "score" else str(r[c]))
                              for c in COLUMNS) + " |" for r in rows]
    return "\n".join([head, sep, *body])


def write_report(outcomes: list[Outcome], rows: list[dict], out: Path, title: str,
                 equivalent: dict[str, dict]) -> None:
    from fp4ref.golden.atomic import write_folder
    report = json.dumps({"rows": rows, "mutants": [asdict(o) for o in outcomes]}, indent=1)
    lines = [f"# {title}", "", table_markdown(rows), ""]
    surv = [o for o in outcomes if o.status in ("survived", "timeout")]
    if surv:
        lines += ["## Survivors", "", "| id | find | replace | status | classification |",
                  "|---|---|---|---|---|"]
        for o in surv:
            cls = equivalent.get(o.id, {}).get("reason", "not reviewed")
            lines.append(f"| `{o.id}` | `{o.find.strip()[:60]}` | `{o.replace.strip()[:60]}` | "
                         f"{o.status} | {cls} |")
    write_folder(out, {"mutation.md": ("\n".join(lines) + "\n").encode(), "mutation.json": report.encode()})


def shared_header_kills(outcomes: list[Outcome], reviewed: dict[str, dict]) -> dict[str, dict]:
    """A header's mutant is one change to a file that every module including it compiles: the
    benches of any includer kill it, and a review of the header text covers every includer.
    For each survivor of a header target (<header>@<module>) without a review of its own: if
    its twin (the same mutation of the same header text) was killed by another includer's
    benches, a review "killed by that includer" (summarize() counts it as killed); otherwise
    the twin's review, if it has one (reviews of header mutants argue over every call site)."""
    killers: dict[tuple[str, str], str] = {}
    twins: dict[tuple[str, str], dict] = {}
    for o in outcomes:
        if "@" not in o.module:
            continue
        key = (o.module.split("@")[0], o.id[len(o.module):])
        if o.status == "killed":
            killers.setdefault(key, o.module.split("@")[1])
        if o.id in reviewed:
            twins.setdefault(key, reviewed[o.id])
    out = {}
    for o in outcomes:
        if "@" in o.module and o.status == "survived" and o.id not in reviewed:
            key = (o.module.split("@")[0], o.id[len(o.module):])
            if key in killers:
                out[o.id] = {"verdict": "killed",
                             "reason": f"killed by {killers[key]}'s benches, which compile the same header text"}
            elif key in twins:
                out[o.id] = twins[key]
    return out


@dataclass
class Shard:
    """A campaign's unit of work (rtl_tb.campaign): mutants of one target, with what running
    them needs. With ``bank``: up to BANK_SIZE mutants through mutant banks; else one mutant."""
    target: Target
    mutants: list[Mutant]
    pack_root: str
    timeout: float
    bank: bool


def run_shard(shard: Shard) -> list[Outcome]:
    """The verdicts of a shard's mutants, on whichever machine runs it: built and benched in a
    scratch folder of its own (under that machine's build folder, mutation/scratch, removed at the end),
    so nothing cached anywhere decides them; the campaign caches what comes back."""
    import tempfile

    scratch = paths.build("mutation", "scratch")
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="shard-", dir=scratch) as tmp:
        t, root = shard.target, Path(shard.pack_root)
        if shard.bank:
            from .mutation_bank import run_target
            return run_target(t, shard.mutants, root, shard.timeout, t.sim, Path(tmp), sys.stderr)
        return [run_mutant(m, t, root, shard.timeout, Path(tmp)) for m in shard.mutants]


def run_campaign(modules: list[str] | None = None, max_per_module: int | None = None,
                 sim: str = "verilator", jobs: int = 1, out: Path | None = None,
                 timeout: float = 240.0, pack_root: Path | None = None, ops: list[str] | None = None,
                 log=sys.stderr, bank: bool = True, report_only: bool = False,
                 ids: list[str] | None = None, executor=None, work: Path | None = None) -> list[dict]:
    """The campaign over ``modules`` (names or fnmatch patterns; None: every module), or only the
    mutants ``ids``. The mutants whose verdict is not cached under ``work`` go in shards (Shard:
    banks of a target's mutants, or one mutant each without ``bank``) to ``executor``
    (rtl_tb.campaign; default ``jobs`` local processes); each verdict is cached here as its
    shard comes back, so an interrupted campaign resumes."""
    import fnmatch

    from .campaign import Local

    pack_root = pack_root or paths.build("packs")
    work = work or paths.build("mutation")
    chosen = []
    for t in targets():
        if modules and not any(fnmatch.fnmatchcase(t.name, p) for p in modules):
            continue
        t.sim = sim
        chosen.append(t)
    if modules and not chosen:
        raise ValueError(f"--modules: no module matches {', '.join(modules)}")
    if ids:
        chosen = [t for t in chosen if t.name in {i.split(":")[0] for i in ids}]
    plan = []
    for t in chosen:
        muts = generate(t, pack_root)
        if ops:
            muts = [m for m in muts if m.op in ops]
        muts = sample(muts, max_per_module, t.name)
        if ids:
            muts = [m for m in muts if m.id in ids]
        for run in t.runs:                               # packs first, in this process
            _packs(run, pack_root)
        plan += [(m, t) for m in muts]
    if ids and len(plan) != len(set(ids)):
        missing = sorted(set(ids) - {m.id for m, _ in plan})
        raise ValueError(f"--ids: no such mutant: {', '.join(missing)}")
    executor = executor or Local(max(1, jobs))
    print(f"mutation: {len(plan)} mutants of {len(chosen)} modules on {sim}, {executor.workers} jobs", file=log)
    t0 = time.time()
    texts = {t.name: strip_comments((RTL / t.file).read_text()) for t in chosen}
    found: dict[str, Outcome] = {}
    todo: dict[str, list[Mutant]] = {}
    for m, t in plan:                    # the cached verdicts, the rest pending (--report-only) or to run
        rec = cached_verdict(m, t, m.text(texts[t.name], t.module), work)
        if rec is not None or report_only:
            found[m.id] = Outcome(id=m.id, module=m.module, op=m.op, line=m.line, find=m.find,
                                  replace=m.replace, status=rec["status"] if rec else "pending",
                                  detail=rec["detail"] if rec else "not run yet",
                                  seconds=rec["seconds"] if rec else 0.0, cached=bool(rec))
        else:
            todo.setdefault(t.name, []).append(m)
    from .mutation_bank import BANK_SIZE

    by_name = {t.name: t for t in chosen}
    size = BANK_SIZE if bank else 1
    shards = [Shard(by_name[name], muts[k:k + size], str(pack_root), timeout, bank)
              for name, muts in todo.items() for k in range(0, len(muts), size)]
    # the cheapest first (every module gets its verdicts early), the longest last
    shards.sort(key=lambda s: len(s.mutants) * len(s.target.runs))
    n_run = sum(len(s.mutants) for s in shards)
    if shards:
        print(f"mutation: {len(found)} verdicts cached, {n_run} mutants to run in {len(shards)} shards "
              f"on {executor.label}", file=log)
    finished = [0]

    def arrived(i, res):                 # cache each verdict as its shard finishes (a timeout may be load)
        t = shards[i].target
        for m, o in zip(shards[i].mutants, res):
            if o.status != "timeout":
                cache_put(work / "results" / f"{_mutant_key(m, t, m.text(texts[t.name], t.module))}.json",
                          {"id": o.id, "status": o.status, "detail": o.detail, "seconds": o.seconds})
        finished[0] += len(res)
        if bank:
            print(f"[{time.time() - t0:6.0f}s] {t.name}: {len(res)} mutants run, "
                  f"{sum(o.status == 'killed' for o in res)} killed, "
                  f"{sum(o.status == 'survived' for o in res)} survived", file=log, flush=True)
        else:
            for o in res:
                print(f"[{finished[0]}/{n_run} {time.time() - t0:6.0f}s] "
                      f"{o.id}: {o.status} ({o.seconds:.1f}s)"
                      + (f" {o.detail[:120]}" if o.status in ("stillborn", "timeout") else ""),
                      file=log, flush=True)

    for res in executor.map(run_shard, shards, arrived):
        found.update((o.id, o) for o in res)
    outcomes = [found[m.id] for m, _ in plan]
    equivalent = dict(load_equivalent())
    equivalent.update(shared_header_kills(outcomes, equivalent))
    exhaustive = {t.name: t.exhaustive for t in chosen if t.exhaustive}
    for o in outcomes:
        if o.status == "survived" and o.module in exhaustive and o.id not in equivalent:
            equivalent[o.id] = {"reason": f"equivalent by exhaustion: {exhaustive[o.module]}"}
    rows = summarize(outcomes, equivalent)
    print(table_text(rows))
    if out:
        write_report(outcomes, rows, Path(out), f"RTL mutation score ({sim})", equivalent)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fp4ref.rtl_tb.mutation")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--modules", nargs="*")
    ap.add_argument("--max-per-module", type=int)
    ap.add_argument("--sim", default="verilator")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    args = ap.parse_args(argv)
    if args.worker:
        res = worker(json.loads(args.worker))
        print("MUTATION-RESULT " + json.dumps(res), flush=True)
        return 0
    if args.list:
        for t in targets():
            if args.modules and t.name not in args.modules:
                continue
            for m in sample(generate(t), args.max_per_module, t.name):
                print(f"{m.id}\t{m.find.strip()!r} -> {m.replace.strip()!r}")
        return 0
    run_campaign(args.modules, args.max_per_module, args.sim, args.jobs, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
