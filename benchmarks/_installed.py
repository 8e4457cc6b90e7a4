"""Imported first by every benchmark: they measure the INSTALLED accelsim (its compiled core), so say so
clearly when it is not there instead of failing deep inside an import."""

import os
import sys

try:
    import accelsim  # noqa: F401
except ImportError as e:
    sys.exit(f"error: {os.path.basename(sys.argv[0])} needs the accelsim package installed: run `pip install .` in "
             f"the repository root (or `pip install -e .` to develop), then `python {' '.join(sys.argv)}`.\n"
             f"({type(e).__name__}: {e})")
