"""FloatFormat validation names the bad field; the registry knows presets and aliases."""
import pytest

from fp4ref import emu
from fp4ref.emu import FloatFormat
from fp4ref.emu.presets import ALIASES, PRESETS


@pytest.mark.parametrize("kwargs, field", [
    (dict(exp_w=0, man_w=1, bias=1), "exp_w"),
    (dict(exp_w=2, man_w=-1, bias=1), "man_w"),
    (dict(exp_w=5, man_w=3, bias=1), "man_w"),          # 9 bits
    (dict(exp_w=2, man_w="1", bias=1), "man_w"),
    (dict(exp_w=2, man_w=1, bias=1.5), "bias"),
    (dict(exp_w=2, man_w=1, bias=10_000), "bias"),
    (dict(exp_w=2, man_w=1, bias=1, subnormals="yes"), "subnormals"),
    (dict(exp_w=2, man_w=1, bias=1, specials="ocp"), "specials"),
    (dict(exp_w=3, man_w=0, bias=3, specials="ieee"), "specials"),   # no NaN code without mantissa
    (dict(exp_w=1, man_w=0, bias=0, specials="fn_nan"), "specials"),  # nothing finite but zero
    (dict(exp_w=True, man_w=1, bias=1), "exp_w"),
])
def test_invalid_parameter_raises_value_error_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=rf"\.{field}:"):
        FloatFormat("bad", **kwargs)


def test_empty_name_is_rejected():
    with pytest.raises(ValueError, match=r"\.name:"):
        FloatFormat("", exp_w=2, man_w=1, bias=1)


def test_unknown_format_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown format 'e9m9'.*e2m1"):
        emu.get_format("e9m9")


@pytest.mark.parametrize("alias", ALIASES)
def test_every_alias_resolves_to_a_preset(alias):
    assert emu.get_format(alias) is PRESETS[ALIASES[alias]]
    assert emu.get_format(alias.upper()) is PRESETS[ALIASES[alias]]


def test_presets_are_distinct_formats():
    params = [(f.exp_w, f.man_w, f.bias, f.subnormals, f.specials) for f in PRESETS.values()]
    assert len(set(params)) == len(params), "two presets define the same format"


def test_custom_formats_work_everywhere():
    fmt = FloatFormat("e3m1_b5", exp_w=3, man_w=1, bias=5, specials="fn_nan")
    codes = emu.encode([0.0, 1.0, -2.5, 1e9], fmt)
    assert emu.decode(codes, fmt).tolist() == [0.0, 1.0, -2.0, float(fmt.max_value)]


@pytest.mark.parametrize("name, fields", [("e2m1", "0|11|1"), ("e3m0", "0|111"), ("e4m3", "0|0000|111")])
def test_fields_split_sign_exponent_mantissa(name, fields):
    fmt = emu.get_format(name)
    assert fmt.fields(int("".join(fields.split("|")), 2)) == fields
