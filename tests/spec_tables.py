"""DATA: code -> exact value per preset, transcribed from ../shared/spec (never from emu).

formats.md §2.3 tabulates E2M1, E2M3 and E3M2 and states E4M3 and E5M2 as formulas (quoted
literally below); §6 and llm-fp4.md §1.3 give the 4-bit grids. Negative codes are the positive
code with the sign bit set and the value negated ("a negative code = positive code | sign bit").
"""
from fractions import Fraction as Q

NAN = "nan"
INF = "inf"

# formats.md §2.3, FP4 E2M1, codes 0x0..0x7
E2M1 = [Q(0), Q(1, 2), Q(1), Q(3, 2), Q(2), Q(3), Q(4), Q(6)]

# formats.md §2.3, FP6 E2M3, codes 0x00..0x1F (rows 0x00-0x07, 0x08-0x0F, 0x10-0x17, 0x18-0x1F)
E2M3 = ([Q(k, 8) for k in range(8)] + [1 + Q(k, 8) for k in range(8)]
        + [Q(x) for x in ("2", "2.25", "2.5", "2.75", "3", "3.25", "3.5", "3.75")]
        + [Q(x) for x in ("4", "4.5", "5", "5.5", "6", "6.5", "7", "7.5")])

# formats.md §2.3, FP6 E3M2, codes 0x00..0x1F
E3M2 = ([Q(x) for x in ("0", "0.0625", "0.125", "0.1875", "0.25", "0.3125", "0.375", "0.4375")]
        + [Q(x) for x in ("0.5", "0.625", "0.75", "0.875", "1", "1.25", "1.5", "1.75")]
        + [Q(x) for x in ("2", "2.5", "3", "3.5", "4", "5", "6", "7")]
        + [Q(x) for x in ("8", "10", "12", "14", "16", "20", "24", "28")])


def e4m3(code):
    """formats.md §2.3: "E = 0 -> M*2^-9; E = 1..15 -> (1 + M/8)*2^(E-7), except S.1111.111 = NaN"."""
    e, m = (code >> 3) & 0xF, code & 7
    if e == 0xF and m == 7:
        return NAN
    return Q(m, 512) if e == 0 else (1 + Q(m, 8)) * Q(2) ** (e - 7)


def e5m2(code):
    """formats.md §2.3: "E = 0 -> M*2^-16; E = 1..30 -> (1 + M/4)*2^(E-15); Inf = S.11111.00;
    NaN = S.11111.{01,10,11}"."""
    e, m = (code >> 2) & 0x1F, code & 3
    if e == 31:
        return INF if m == 0 else NAN
    return Q(m, 1 << 16) if e == 0 else (1 + Q(m, 4)) * Q(2) ** (e - 15)


# formats.md §6 table (value sets, magnitudes ascending = codes 0..7) and llm-fp4.md §1.3
E3M0 = [Q(0), Q(1, 4), Q(1, 2), Q(1), Q(2), Q(4), Q(8), Q(16)]          # b = 3 (= fp4_log)
E1M2 = [Q(k, 2) for k in range(8)]                                      # b = 0: 0, 0.5 .. 3.5
E2M1_B0 = [Q(v) for v in (0, 1, 2, 3, 4, 6, 8, 12)]                      # S(2, 1)
E3M0_B0 = [Q(0)] + [Q(2) ** k for k in range(1, 8)]                       # S(3, 0): 0, 2, 4 .. 128
# formats.md §6 "Variants without subnormals: E2M1/b=1 {0, 1, 1.5, 2, 3, 4, 6}"; code 0b001 is
# the non-canonical subnormal pattern, read as zero (docs/encoding.md §1)
E2M1_NOSUB = [Q(0), Q(0), Q(1), Q(3, 2), Q(2), Q(3), Q(4), Q(6)]


def _signed(positive, bits):
    """Full code table from the positive half: negatives mirror with the sign bit."""
    half = 1 << (bits - 1)
    table = {}
    for code in range(2 * half):
        v = positive[code % half] if isinstance(positive, list) else positive(code % half)
        table[code] = v if code < half or v == NAN else (INF if v == INF else -v)
    return table


def _sign_of(code, bits):
    return bool(code >> (bits - 1))


#: preset name -> {code: Fraction | "nan" | "inf" (sign from the code's sign bit)}
SPEC_TABLES = {
    "e2m1": _signed(E2M1, 4),
    "e2m3": _signed(E2M3, 6),
    "e3m2": _signed(E3M2, 6),
    "e4m3": _signed(e4m3, 8),
    "e5m2": _signed(e5m2, 8),
    "e3m0": _signed(E3M0, 4),
    "e1m2": _signed(E1M2, 4),
    "e2m1_b0": _signed(E2M1_B0, 4),
    "e3m0_b0": _signed(E3M0_B0, 4),
    "e2m1_nosub": _signed(E2M1_NOSUB, 4),
}

#: llm-fp4.md §1.3 integer mapping table: I magnitudes, I_max, signed width (for the bias-0 grids)
INT_MAP_TABLE = {
    "e2m1_b0": (sorted({0, 1, 2, 3, 4, 6, 8, 12}), 12, 5),
    "e3m0_b0": (sorted({0, 1, 2, 4, 8, 16, 32, 64}), 64, 8),
    "e1m2": (list(range(8)), 7, 4),
}

#: formats.md §2.3: max magnitudes and emax_elem ("E2M1 2, E2M3 2, E3M2 4, E4M3 8, E5M2 15")
MAX_VALUES = {"e2m1": Q(6), "e2m3": Q(15, 2), "e3m2": Q(28), "e4m3": Q(448), "e5m2": Q(57344)}
EMAX = {"e2m1": 2, "e2m3": 2, "e3m2": 4, "e4m3": 8, "e5m2": 15}
