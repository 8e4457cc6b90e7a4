"""``python -m accelsim``: the same command line as the ``accelsim`` console script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
