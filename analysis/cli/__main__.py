"""``python -m analysis.cli``: the ``briefings`` command."""
import sys

from . import main

sys.exit(main())
