#!/usr/bin/env python
"""The developer's entry point in a checkout: development mode unless DEBUG says otherwise.

Deployments use the `stadtallianz` console command (and config.wsgi), which default to
production mode and refuse to start without SECRET_KEY and ALLOWED_HOSTS (docs/deployment.md).
"""

import os
import sys

from stadtallianz.cli import main

if __name__ == "__main__":
    os.environ.setdefault("DEBUG", "true")
    sys.exit(main())
