"""The ``accelsim`` command line (also ``python -m accelsim``)."""

from .app import main

__all__ = ["main"]
