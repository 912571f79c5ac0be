"""The Windows workflow builds with the same spec, self-tests the .exe and uploads the folder.

It cannot run here; this keeps its essentials from rotting when files are renamed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.build._loader import ROOT

yaml = pytest.importorskip("yaml")
WORKFLOW = ROOT / ".github" / "workflows" / "windows-package.yml"


@pytest.fixture(scope="module")
def job() -> dict[str, Any]:
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return document["jobs"]["package"]


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_windows_runner_python_311_within_the_time_limit(job: dict[str, Any]) -> None:
    assert job["runs-on"].startswith("windows")
    assert job["timeout-minutes"] <= 30
    setup = next(step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/setup-python"))
    assert str(setup["with"]["python-version"]) == "3.11"
    assert job["env"]["QT_QPA_PLATFORM"] == "offscreen"


def test_installs_builds_and_self_tests_the_exe(job: dict[str, Any]) -> None:
    runs = _runs(job)
    assert 'pip install -e ".[package]"' in runs
    assert "python build/build_package.py" in runs  # the same spec as `make package`
    assert (ROOT / "build" / "build_package.py").is_file()
    assert "dist\\Ottenok\\Ottenok.exe" in runs and "--self-test" in runs
    assert "ExitCode" in runs  # the windowed exe's exit code is checked, not ignored


def test_uploads_the_folder(job: dict[str, Any]) -> None:
    upload = next(step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/upload-artifact"))
    assert "dist/Ottenok" in upload["with"]["path"].split()
    assert upload["with"]["if-no-files-found"] == "error"
