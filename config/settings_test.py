"""Settings for the test suite (and mypy): production settings with what tests need set.

Tests run with DEBUG off, as in production. Production refuses to start without SECRET_KEY and
refuses the test bank, so the suite sets both here, before config.settings reads the
environment; a variable already set in the environment wins.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-key-never-used-outside-tests")
os.environ.setdefault("PAYMENTS_SANDBOX", "1")

from config.settings import *  # noqa: E402, F403
