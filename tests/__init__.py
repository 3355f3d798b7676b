"""fp4ref's tests. REPO is the source checkout the tests read (docs, RTL, examples); outputs and
caches go to the build folder (tests/conftest.py points FP4REF_BUILD_DIR at the checkout's
build/fp4ref, so every test and every CLI run it starts share one pack and build cache)."""
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
