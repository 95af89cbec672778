import sys
from pathlib import Path

import pytest

# the tests' helpers (small_networks, cli_harness, …), and benchmarks/ for the PyPSA twin (pypsa_model), which
# is not part of the package but has its equivalence test here
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))


@pytest.fixture(scope="session")
def web_server(tmp_path_factory):
    """One `crudeflow serve` for the web tests (tests/web_harness.py), stopped with Ctrl-C at the end."""
    pytest.importorskip("dash", reason="the web app needs the web extra (dash)")
    from web_harness import start_server

    out = tmp_path_factory.mktemp("web-out")
    server = start_server(out)
    server.out = out
    yield server
    if server.process.poll() is None:
        server.stop()
