"""A worker's first request costs no more than any other: the WSGI module loads the views and the
translation catalogues before gunicorn forks (config/wsgi.py)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import sys
import config.wsgi
from django.utils.translation import trans_real
print("views" if "kabinet.accounts.views" in sys.modules and "kabinet.api.views" in sys.modules else "lazy")
print(",".join(sorted(trans_real._translations)))
"""


def test_it_loads_views_and_catalogues_before_the_first_request() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "config.settings_test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.split()
    assert lines[0] == "views"
    assert {"ru", "en"} <= set(lines[1].split(","))


def test_gunicorn_preloads_the_application() -> None:
    namespace: dict[str, object] = {}
    exec((ROOT / "config" / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102
    assert namespace["preload_app"] is True
