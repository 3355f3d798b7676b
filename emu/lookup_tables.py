"""The lookup formats as data: per code, the stored constant and the integer mapping.

Every constant is copied from ../shared/spec/formats.md (§4 bitsandbytes, §5 llm-datatypes) as the
decimal literal the source stores; the decoder outputs that literal rounded to float32 (which is
what both libraries compute with). Where a format is a scaled integer grid, `ints` gives the
integer I a MAC multiplies and `unit` its weight (value = I * unit exactly, before float32
rounding of constants such as 0.1).

Code layouts:
  sign_magnitude  bit 3 = sign, bits 2..0 = magnitude index (llm-datatypes FP4_E2M1_BIT = OCP E2M1
                  layout); code 0b1000, the -0 pattern, is unused, -0.0, or a supernormal extra
                  positive value (formats.md §5.7: E2M1-SR +8, E2M1-SP +5, +2.5, APoT4-SP +0.5).
  index           code = position in the ascending list (bitsandbytes NF4, SF4: formats.md §4.1).
  twos            the code is the two's complement integer (INT4, INT3).
  unsigned        the code is the unsigned integer 0..2^bits - 1 (INT4, INT3 with a zero point).

Every format has 4-bit codes but the integer grids (INTEGER), which give their width: a lookup
format may have 2 to 8 bits (2^bits codes).
"""
from __future__ import annotations

from fractions import Fraction as F

# name: (title, source, the 8 magnitudes (decimal literals), what code 0b1000 holds (None =
#        unused), unit, the magnitudes' integer mappings, the code-8 value's integer mapping)
SIGN_MAGNITUDE = {
    "e2m1_sr": ("E2M1 with super-range support (+8 on the -0 code)", "llm-datatypes fp4_range, §5.7",
                ("0", "0.5", "1", "1.5", "2", "3", "4", "6"), "8", F(1, 2), (0, 1, 2, 3, 4, 6, 8, 12), 16),
    "e2m1_sp": ("E2M1 with super-precision support (+5 on the -0 code)", "llm-datatypes fp4_prec2, §5.7",
                ("0", "0.5", "1", "1.5", "2", "3", "4", "6"), "5", F(1, 2), (0, 1, 2, 3, 4, 6, 8, 12), 10),
    "e2m1_p25": ("E2M1 with +2.5 on the -0 code", "llm-datatypes fp4_prec1, §5.4",
                 ("0", "0.5", "1", "1.5", "2", "3", "4", "6"), "2.5", F(1, 2), (0, 1, 2, 3, 4, 6, 8, 12), 5),
    "apot4": ("APoT4: additive powers of two {0,1,2,3,4,6,8,10}/10", "llm-datatypes apot4, §5.4",
              ("0", "0.1", "0.2", "0.3", "0.4", "0.6", "0.8", "1.0"), None, F(1, 10), (0, 1, 2, 3, 4, 6, 8, 10), None),
    "apot4_sp": ("APoT4 with +0.5 on the -0 code", "llm-datatypes apot4-sp, §5.4",
                 ("0", "0.1", "0.2", "0.3", "0.4", "0.6", "0.8", "1.0"), "0.5", F(1, 10), (0, 1, 2, 3, 4, 6, 8, 10), 5),
    "e3m0_log": ("E3M0 log grid {0, 2^-2 .. 2^4}", "llm-datatypes fp4_log, §5.4",
                 ("0", "0.25", "0.5", "1", "2", "4", "8", "16"), None, F(1, 4), (0, 1, 2, 4, 8, 16, 32, 64), None),
    "e2m1_i": ("E2M1-I: Intel neural-compressor FP4 (subnormal 0.0625)", "llm-datatypes fp4_e2m1, §5.4",
               ("0", "0.0625", "1", "1.5", "2", "3", "4", "6"), None, F(1, 16), (0, 1, 16, 24, 32, 48, 64, 96), None),
    "e1m2_ld": ("E1M2 without subnormals {0, 1.25 .. 3.5}", "llm-datatypes fp4_e1m2, §5.4",
                ("0", "1.25", "1.5", "1.75", "2", "2.5", "3", "3.5"), None, F(1, 4), (0, 5, 6, 7, 8, 10, 12, 14), None),
    "e2m1_nosub_ld": ("E2M1 without subnormals {0, 0.75, 1 .. 6}", "llm-datatypes fp4_no_sub, §5.4",
                      ("0", "0.75", "1", "1.5", "2", "3", "4", "6"), None, F(1, 4), (0, 3, 4, 6, 8, 12, 16, 24), None),
}

# bitsandbytes NF4 (code = ascending index, §4.1) and llm-datatypes SF4_nu (§5.1; the stored
# constants, not a recomputation, are the golden values, §5.5).
INDEX = {
    "nf4": ("NF4 (bitsandbytes code order)", "bitsandbytes get_4bit_type('nf4'), §4.1", (
        "-1.0", "-0.6961928009986877", "-0.5250730514526367", "-0.39491748809814453",
        "-0.28444138169288635", "-0.18477343022823334", "-0.09105003625154495", "0.0",
        "0.07958029955625534", "0.16093020141124725", "0.24611230194568634", "0.33791524171829224",
        "0.44070982933044434", "0.5626170039176941", "0.7229568362236023", "1.0")),
    "sf4_nu3": ("SF4, Student-t nu = 3", "llm-datatypes SF4_3, §5.1", (
        "-1.0", "-0.575725", "-0.403755", "-0.29162", "-0.204868", "-0.131054", "-0.064036", "0.0",
        "0.055934", "0.113835", "0.176078", "0.246078", "0.329642", "0.438727", "0.60598", "1.0")),
    "sf4_nu4": ("SF4, Student-t nu = 4", "llm-datatypes SF4_4, §5.1", (
        "-1.0", "-0.608729", "-0.435845", "-0.318393", "-0.225229", "-0.144689", "-0.070863", "0.0",
        "0.061908", "0.125773", "0.193936", "0.269711", "0.358617", "0.471724", "0.638231", "1.0")),
    "sf4_nu5": ("SF4, Student-t nu = 5 (the paper's SF4)", "llm-datatypes SF4_5, §5.1", (
        "-1.0", "-0.627781", "-0.454736", "-0.334331", "-0.237434", "-0.152899", "-0.074982", "0.0",
        "0.065513", "0.132965", "0.204661", "0.283835", "0.375805", "0.491076", "0.656781", "1.0")),
    "sf4_nu6": ("SF4, Student-t nu = 6", "llm-datatypes SF4_6, §5.1", (
        "-1.0", "-0.640101", "-0.467104", "-0.344838", "-0.245517", "-0.15835", "-0.077722", "0.0",
        "0.067911", "0.137742", "0.211771", "0.293169", "0.387111", "0.503714", "0.66875", "1.0")),
    "sf4_nu7": ("SF4, Student-t nu = 7", "llm-datatypes SF4_7, §5.1", (
        "-1.0", "-0.648695668605137", "-0.4758049192191136", "-0.35226650560941064",
        "-0.25124728719118344", "-0.16222176644114206", "-0.07967003587244491", "0.0",
        "0.06961628484673037", "0.1411376777420972", "0.21681690757912492", "0.2997785136806453",
        "0.39509153065438735", "0.5125912352606964", "0.6770872505232854", "1.0")),
}

# bitsandbytes FP4 (§4.2): bit 3 = sign, low 3 bits index the raw table, normalized by 12;
# 0b1000 is -0.0. In units of 1/192 (= 0.0625/12) every value is an integer.
BNB_FP4_RAW = (F(0), F(1, 16), F(8), F(12), F(4), F(6), F(2), F(3))
BNB_FP4_CONSTANTS = ("0.0", "0.0052083334885537624", "0.6666666865348816", "1.0",
                     "0.3333333432674408", "0.5", "0.1666666716337204", "0.25")

# Integer grids, RNE (tie rule "even"): name: (title, source, bits, layout, the lowest integer,
# RTN scale rule). "twos": code = the bits-bit two's complement of I, I from the lowest integer to
# 2^(bits-1) - 1 (the codes below it unused); "unsigned": code = I = 0..2^bits - 1. Scale rules:
# emu.lookup_scale ("max": absmax / the largest integer, "int_full", "asym": zero point).
# llm-datatypes' integer path takes any num_bits (--bits 3: §5.3 item 8); the 3-bit grids are the
# GPTQ experiment's (docs/gptq.md).
INTEGER = {
    "int4_sym": ("INT4 two's complement -7..7 (symmetric)", "llm-datatypes qdq_weight_sym, §5.3",
                 4, "twos", -7, "max"),
    "int4_full": ("INT4 two's complement -8..7 (full range)",
                  "llm-datatypes qdq_weight_sym --enable_full_range, §5.3", 4, "twos", -8, "int_full"),
    "int4_asym": ("INT4 asymmetric: unsigned 0..15 with a zero point per group",
                  "llm-datatypes qdq_weight_asym, §5.3", 4, "unsigned", 0, "asym"),
    "int3_sym": ("INT3 symmetric: two's complement -3..3 (0b100 unused), scale absmax/3",
                 "llm-datatypes qdq_weight_sym --bits 3, §5.3", 3, "twos", -3, "max"),
    "int3_asym": ("INT3 asymmetric: unsigned 0..7 with a zero point per group",
                  "llm-datatypes qdq_weight_asym --bits 3, §5.3", 3, "unsigned", 0, "asym"),
}
