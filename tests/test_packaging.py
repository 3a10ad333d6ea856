"""`pip install -e .` builds our metadata with setuptools: it must do so without a warning
about our pyproject.toml (the table form of project.license stops building on 2027-02-18)."""

from __future__ import annotations

import subprocess
import sys
from email import message_from_string
from pathlib import Path

from mdt import ROOT


def test_the_package_metadata_builds_without_a_warning_and_names_the_mit_licence(tmp_path: Path):
    # -W error: any warning setuptools gives about our configuration fails the build.
    build = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-c",
            "import sys; from setuptools import build_meta;"
            " print(build_meta.prepare_metadata_for_build_wheel(sys.argv[1]))",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert build.returncode == 0, build.stderr[-3000:]
    assert "Warning" not in build.stderr
    dist_info = build.stdout.strip().splitlines()[-1]
    metadata = message_from_string((tmp_path / dist_info / "METADATA").read_text())
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    licence = (tmp_path / dist_info / "licenses" / "LICENSE").read_text()
    assert licence.startswith("MIT License")
