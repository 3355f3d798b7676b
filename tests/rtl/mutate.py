"""Apply one mutant (a {"file", "find", "replace"} record) to a copy of rtl/."""
import shutil
from pathlib import Path

from fp4ref.rtl_tb.runner import RTL


def mutated_rtl(mutant: dict, tmp_path: Path) -> Path:
    """A copy of rtl/ under tmp_path with the mutant applied; the find text must occur once."""
    rtl = tmp_path / "rtl"
    shutil.copytree(RTL, rtl)
    path = tmp_path / mutant["file"]
    text = path.read_text()
    assert text.count(mutant["find"]) == 1, f"mutant {mutant['name']} no longer applies to the RTL"
    path.write_text(text.replace(mutant["find"], mutant["replace"]))
    return rtl
