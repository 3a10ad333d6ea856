import subprocess
import sys

import pytest

from mdt import create_app
from mdt.config import ConfigError, load_settings, resolve_secret_key


def test_toml_file_then_environment_override(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[app]\nsecret_key = "from-file"\n[mail]\nsmtp_port = 2525\ntransport = "folder"\n'
    )
    settings = load_settings({"MDT_CONFIG": str(path), "MDT_MAIL_SMTP_PORT": "587"})
    assert settings["SECRET_KEY"] == "from-file"
    assert settings["MAIL_TRANSPORT"] == "folder"
    assert settings["MAIL_SMTP_PORT"] == 587  # the environment wins, typed like the default


def test_unknown_setting_and_bad_values_are_named(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[mail]\nsmtp_prot = 25\n")
    with pytest.raises(ConfigError, match="MAIL_SMTP_PROT"):
        load_settings({"MDT_CONFIG": str(path)})
    with pytest.raises(ConfigError, match="whole number"):
        load_settings({"MDT_MAIL_SMTP_PORT": "twenty-five"})


def test_every_setting_is_documented_in_the_example_file():
    import tomllib

    from mdt import ROOT
    from mdt.config import DEFAULTS, flatten

    with open(ROOT / "config.example.toml", "rb") as fh:
        documented = flatten(tomllib.load(fh))
    assert documented == DEFAULTS


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="No secret key"):
        resolve_secret_key({"SECRET_KEY": "", "DEMO": False}, str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "mdt.cli", "db", "upgrade"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "MDT_DEMO": "false"},
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0  # one line
    assert "No secret key" in result.stderr


def test_the_demo_keeps_a_generated_key_in_the_instance_folder(tmp_path):
    first = resolve_secret_key({"SECRET_KEY": "", "DEMO": True}, str(tmp_path))
    again = resolve_secret_key({"SECRET_KEY": "", "DEMO": True}, str(tmp_path))
    assert first == again and len(first) >= 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_create_app_takes_overrides(database_url):
    app = create_app({"SECRET_KEY": "k", "DATABASE_URL": database_url, "SERVICE_NAME": "Our MDT"})
    assert app.config["SERVICE_NAME"] == "Our MDT"
