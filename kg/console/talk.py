"""How much kg says on stderr: ``-q`` only errors (and data on stdout), ``-v`` what it works with, ``-vv`` debug.

>>> import logging
>>> configure(quiet=False, verbose=1)
>>> logging.getLogger("kg.read").isEnabledFor(logging.INFO)
True
>>> configure(quiet=True, verbose=2)
>>> logging.getLogger("kg.read").isEnabledFor(logging.INFO)
False
"""

from __future__ import annotations

import logging
import sys


def configure(*, quiet: bool, verbose: int) -> None:
    """Log ``kg: message`` lines to stderr at the level ``quiet`` / ``verbose`` ask for (quiet wins)."""
    logging.basicConfig(format="kg: %(message)s", stream=sys.stderr)
    level = logging.WARNING if quiet or not verbose else logging.INFO if verbose == 1 else logging.DEBUG
    logging.getLogger().setLevel(level)
