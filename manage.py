#!/usr/bin/env python
import sys

from stadtallianz.cli import main

if __name__ == "__main__":
    sys.exit(main())
