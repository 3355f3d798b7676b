"""Named conventions (issue 15): every record of emu/conventions.toml loads and validates, the
expected conventions exist, selected choices match the spec (formats.md sections in the table),
and docs/conventions.md documents every convention and every allowed value of FIELDS."""
import re
from pathlib import Path

import pytest

from fp4ref.emu.conventions import FIELDS, Convention, conventions, get_convention

DOC = Path(__file__).resolve().parents[2] / "docs" / "conventions.md"

NAMES = ("ocp_mx", "ml_dtypes", "microxcaling", "torch", "torchao_nvfp4", "llm_datatypes",
         "bitsandbytes", "ggml_q4", "ggml_mxfp4", "ggml_nvfp4", "llm_fp4", "fp4ref")

#: (convention, field, value, where the spec states it)
CHOICES = [
    ("ocp_mx", "scale_rule", "floor", "formats.md §2.4 Algorithm 1"),
    ("ocp_mx", "nibble_order", "unspecified", "§2.1: layout not prescribed"),
    ("ml_dtypes", "element_ties", "rne", "§8 RoundBitsToNearestEven"),
    ("ml_dtypes", "nan_input", "ml_dtypes", "§8 +NaN -> 0b1000"),
    ("ml_dtypes", "nibble_order", "unpacked", "§8 one element per byte"),
    ("microxcaling", "element_ties", "rna", "§2.4 nearest = half away from zero"),
    ("microxcaling", "nan_input", "block", "§2.4 one NaN poisons the block"),
    ("microxcaling", "scale_rule", "floor", "§2.4 _quantize_mx"),
    ("torch", "nibble_order", "low_first", "§9 element 0 in bits 0-3"),
    ("torch", "element_ties", "unspecified", "§9 no float -> fp4x2 cast"),
    ("torchao_nvfp4", "element_ties", "rne", "§3 RNE_E2M1"),
    ("torchao_nvfp4", "scale_rule", "nvfp4", "§3 two-level recipe"),
    ("torchao_nvfp4", "scale_rounding", "e4m3_rne", "§3 cast to E4M3 (RNE)"),
    ("torchao_nvfp4", "nibble_order", "low_first", "§3 even element in the low nibble"),
    ("llm_datatypes", "element_ties", "rnm", "§5.3 ties to the lower neighbour"),
    ("llm_datatypes", "signed_zero", "positive", "§5.3 single zero, 0b1000 unused"),
    ("llm_datatypes", "nan_input", "block", "§5.3 NaN -> whole group NaN"),
    ("llm_datatypes", "scale_rule", "absmax", "§5.3 absmax / max(list)"),
    ("bitsandbytes", "element_ties", "rnz", "§4.3 strict >, ties -> lower magnitude"),
    ("bitsandbytes", "nibble_order", "high_first", "§4.3 first element in the high nibble"),
    ("bitsandbytes", "scale_rounding", "fp32", "§4.3 fp32 absmax"),
    ("ggml_q4", "element_ties", "unspecified", "§7.2 half up in x/d, d = M/-8: no rule over x"),
    ("ggml_q4", "nan_input", "undefined", "§7.2 undefined behaviour in C"),
    ("ggml_q4", "nibble_order", "ggml_halves", "§7.1 j low, j + 16 high"),
    ("ggml_q4", "scale_rule", "signed_max", "§7.2 d = M / -8"),
    ("ggml_q4", "scale_rounding", "fp16", "§7.2 fp16(d)"),
    ("ggml_mxfp4", "element_ties", "rnz", "§7.5 best_index_mxfp4: lower index"),
    ("ggml_mxfp4", "signed_zero", "positive", "§7.5 0x8 never produced"),
    ("ggml_mxfp4", "scale_rule", "floor", "§7.5 floor(log2f(amax)) - 2"),
    ("ggml_nvfp4", "element_ties", "rnz", "§7.5 same rule as MXFP4"),
    ("ggml_nvfp4", "nibble_order", "ggml_nvfp4", "§7.1 per sub-block j low, j + 8 high"),
    ("ggml_nvfp4", "scale_rounding", "e4m3_half_up", "§7.5 ggml_fp32_to_ue4m3"),
    ("llm_fp4", "element_ties", "rne", "§6 torch.round"),
    ("llm_fp4", "signed_zero", "kept", "§6 torch.round(-0.3) = -0"),
    ("llm_fp4", "scale_rule", "calibrated", "§6 calibrated real bias, searched"),
    ("llm_fp4", "scale_rounding", "real", "§6 real-valued 2^-b"),
    ("fp4ref", "element_ties", "rne", "docs/encoding.md §3 default"),
    ("fp4ref", "nibble_order", "low_first", "docs/encoding.md §4 pack_x2"),
    ("fp4ref", "scale_rule", "floor", "docs/block.md §3 default rule"),
]


def test_every_record_loads_and_validates():
    recs = conventions()
    assert recs and all(isinstance(c, Convention) for c in recs.values())
    for name, c in recs.items():
        assert c.name == name and c.title and c.source
        for f, v in c.choices().items():
            assert v in FIELDS[f], (name, f, v)


def test_the_expected_conventions_are_present_in_file_order():
    assert tuple(conventions()) == NAMES


@pytest.mark.parametrize("name, field, value, where", CHOICES,
                         ids=[f"{n}-{f}" for n, f, _, _ in CHOICES])
def test_choice_matches_the_spec(name, field, value, where):
    assert getattr(get_convention(name), field) == value, where


def test_every_convention_is_a_heading_in_the_doc():
    headings = re.findall(r"^#{2,4} .*$", DOC.read_text(), re.M)
    for name in conventions():
        assert any(f"`{name}`" in h for h in headings), name


def test_every_field_value_and_meaning_is_in_doc_section_1():
    text = DOC.read_text()
    sec1 = text.split("## 1.", 1)[1].split("\n## 2.", 1)[0]
    for f, values in FIELDS.items():
        for v, meaning in values.items():
            assert f"| `{f}` | `{v}` | {meaning} |" in sec1, (f, v)


def test_doc_section_2_states_each_recorded_value():
    sections = re.split(r"^### ", DOC.read_text().split("\n## 2.", 1)[1], flags=re.M)
    for name, c in conventions().items():
        [sec] = [s for s in sections if re.match(rf"[\d.]+ `{name}`:", s)]
        for f, v in c.choices().items():
            assert re.search(rf"^\| {f} \| `{v}`", sec, re.M), (name, f, v)


def test_unknown_name_raises_listing_the_known_ones():
    with pytest.raises(ValueError) as e:
        get_convention("nope")
    for name in NAMES:
        assert name in str(e.value)
