"""TestFloat-style float32 sets: the exponent table, significand patterns, every tie, seeded random."""
import numpy as np

from fp4ref import emu
from fp4ref.golden.cases import exponent_table, float32_cases, tie_fractions


def as_f32(pats):
    return np.asarray(pats, np.uint64).astype(np.uint32).view(np.float32)


def test_exponent_table_covers_the_format_plus_and_minus_two():
    fmt = emu.get_format("e2m1")           # smallest step 0.5 = 2^-1, max binade 2^2
    assert exponent_table(fmt) == list(range(-4, 6))


def test_every_e2m1_tie_point_and_its_neighbours_are_in_level2():
    values = set(as_f32(float32_cases(emu.get_format("e2m1"), 2, 0, 1)).tolist())
    for tie in (0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0, 7.0):
        f = np.float32(tie)
        assert {float(f), float(np.nextafter(f, np.float32(0))), float(np.nextafter(f, np.float32(9))),
                -float(f)} <= values, tie


def test_tie_fractions_follow_the_subnormal_quantum():
    fmt = emu.get_format("e2m1")
    # at exponent -1 (values 0.5..1) the step is the subnormal 0.5: the tie 0.75 is fraction 0x400000
    assert 0x400000 in tie_fractions(fmt, -1)
    # at exponent 1 (values 2..4) the step is 1: ties 2.5 and 3.5
    assert {0x200000, 0x600000} <= set(tie_fractions(fmt, 1))


def test_level2_contains_level1_and_the_sets_are_seeded():
    fmt = emu.get_format("e4m3")
    l1 = float32_cases(fmt, 1, 100, seed=7)
    assert np.array_equal(l1, float32_cases(fmt, 1, 100, seed=7))
    assert not np.array_equal(l1, float32_cases(fmt, 1, 100, seed=8))
    structured_l1 = set(float32_cases(fmt, 1, 0, seed=7).tolist())
    assert structured_l1 <= set(float32_cases(fmt, 2, 0, seed=7).tolist())
    assert len(l1) == len(structured_l1) + 100


def test_specials_and_both_signs_are_present():
    pats = set(float32_cases(emu.get_format("e5m2"), 1, 0, 1).tolist())
    for p in (0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001, 0x00000001, 0x80000000, 0x00000000):
        assert p in pats
