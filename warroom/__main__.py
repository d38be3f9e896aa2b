"""``python -m warroom``: the same as the ``warroom`` command."""

import sys

from warroom.cli import main

sys.exit(main())
