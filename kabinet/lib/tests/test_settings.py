"""Nothing that suits only a demo is on when DEBUG=0 (SPEC 4, Security): no known secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SHOW = "import config.settings as s; print(s.SECRET_KEY, s.PAYMENTS_SANDBOX)"


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import config.settings in a fresh interpreter with only the given variables set."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "PAYMENTS_SANDBOX", "KABINET_REQUIRE_SECRET"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_with_debug_off_and_no_secret_key():
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_to_start_without_debug_set_and_no_secret_key():
    # DEBUG defaults to off: forgetting every variable is production, not a demo.
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_ignores_the_old_escape_hatch():
    result = load_settings(DEBUG="0", KABINET_REQUIRE_SECRET="0")
    assert result.returncode != 0


def test_it_uses_the_development_key_only_with_debug_on():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("insecure-development-key")


@pytest.mark.parametrize(
    ("env", "sandbox"),
    [
        ({"DEBUG": "1"}, "True"),
        ({"DEBUG": "0", "SECRET_KEY": "k" * 50}, "False"),
        ({"DEBUG": "0", "SECRET_KEY": "k" * 50, "PAYMENTS_SANDBOX": "1"}, "True"),
        ({"DEBUG": "1", "PAYMENTS_SANDBOX": "0"}, "False"),
    ],
)
def test_it_turns_the_test_bank_on_by_default_only_with_debug(env, sandbox):
    result = load_settings(**env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [env.get("SECRET_KEY", result.stdout.split()[0]), sandbox]
