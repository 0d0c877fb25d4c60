"""``python -m mapservice.cli``: the same commands as the ``mapservice`` script."""

import sys

from mapservice.cli.main import main

sys.exit(main())
