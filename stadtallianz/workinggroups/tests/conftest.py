# The people and group shared with the tests of other apps (fixtures.py).
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403
