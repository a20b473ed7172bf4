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


@pytest.fixture
def draw(tmp_path, capsys):
    """Runs a plot script's main with these arguments and -o a PNG in a temporary directory;
    returns (the PNG's path, stdout, stderr) once it checked the PNG is there and whole."""
    import importlib

    def run(script, *args, out="figure.png"):
        path = tmp_path / out
        importlib.import_module(script).main([str(a) for a in args] + ["-o", str(path)])
        captured = capsys.readouterr()
        assert_png(path)
        return path, captured.out, captured.err
    return run


def assert_png(path):
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert len(data) > 10_000, f"{path} is only {len(data)} bytes"


@pytest.fixture
def png():
    return assert_png
