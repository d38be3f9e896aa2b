"""The bundle's entry point: the ``warroom`` command, as the console script is in a venv."""

import sys

from warroom.cli import main

sys.exit(main())
