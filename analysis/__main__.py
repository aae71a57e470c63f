"""``python -m analysis``: the ``briefings`` command."""
import sys

from .cli import main

sys.exit(main())
