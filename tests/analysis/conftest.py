"""Shared set-up of the analysis tests: the scripts in analysis/ importable, matplotlib headless,
no bytecode written beside the sources, the committed fixtures, and the replisim binary named by
REPLISIM_BINARY (tests that need it are skipped without it)."""
import os
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in analysis/ or here: the tests leave the tree clean
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ANALYSIS = ROOT / "analysis"
FIXTURES = HERE / "fixtures"
sys.path.insert(0, str(ANALYSIS))


@pytest.fixture(scope="session")
def replisim():
    """The path of the replisim binary under test (REPLISIM_BINARY)."""
    path = os.environ.get("REPLISIM_BINARY", "")
    if not path:
        pytest.skip("REPLISIM_BINARY is not set: these tests run the replisim binary it names "
                    "(ctest sets it to the built one)")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"REPLISIM_BINARY={path} is not an executable file")
    return path


@pytest.fixture
def fixtures():
    return FIXTURES
