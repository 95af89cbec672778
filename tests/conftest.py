import sys
from pathlib import Path

# the tests' helpers (small_networks, cli_harness, …), and benchmarks/ for the PyPSA twin (pypsa_model), which
# is not part of the package but has its equivalence test here
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
