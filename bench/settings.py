"""The production settings plus one trivial signed-in URL, the baseline of bench/pages.py."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
