"""``python -m geokit`` runs the command line."""

import sys

from geokit.cli import main

sys.exit(main())
