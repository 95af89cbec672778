"""`python -m crudeflow.cli ...`: the `crudeflow` command."""

import sys

from crudeflow.cli import main

if __name__ == "__main__":  # not when a test run imports every module for its doctests
    sys.exit(main())
