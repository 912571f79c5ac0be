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
    assert job["timeout-minutes"] <= 45
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


def _steps_running_the_exe(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in job["steps"] if "ottenok-cli.exe" in step.get("run", "") or "Ottenok.exe" in step.get("run", "")
            or "smoke_test.py" in step.get("run", "")]


def test_every_step_that_runs_the_exe_has_its_own_timeout(job: dict[str, Any]) -> None:
    steps = _steps_running_the_exe(job)
    assert len(steps) >= 4
    for step in steps:
        assert 0 < step["timeout-minutes"] <= 20, step["name"]
    windowed = next(step for step in steps if "Ottenok.exe" in step["run"] and "Start-Process" in step["run"])
    assert "WaitForExit(" in windowed["run"] and "Stop-Process" in windowed["run"]  # bounded, killed if hung


def test_the_smoke_test_is_a_gate_and_uploads_survive_failures(job: dict[str, Any]) -> None:
    smoke = next(step for step in job["steps"] if "smoke_test.py" in step.get("run", ""))
    assert not smoke.get("continue-on-error", False)
    upload = next(step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["if"] == "always()"
    paths = upload["with"]["path"].split()
    assert {"dist/Ottenok-smoke.json", "dist/logs"} <= set(paths)
    collect = next(step for step in job["steps"] if step.get("name") == "Collect logs")
    assert collect["if"] == "always()" and "LOCALAPPDATA" in collect["run"]


def test_utf8_is_not_faked_by_the_environment(job: dict[str, Any]) -> None:
    assert "PYTHONIOENCODING" not in job["env"] and "PYTHONUTF8" not in job["env"]
    assert job["env"]["CI"] == "true"  # crashes exit with code 70 instead of a dialog
    runs = _runs(job)
    assert "Әйгерім" in runs and "vectors" in runs and "> dist\\kb-search.json" in runs


def test_path_filters_cover_the_package_and_its_data() -> None:
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = document.get("on") or document.get(True)  # YAML 1.1 reads `on` as True
    paths = triggers["pull_request"]["paths"]
    for needed in ("ottenok_desktop/**", "data/**", "resources/**", "build/**", "pyinstaller.spec", "pyproject.toml"):
        assert needed in paths
    assert triggers["push"]["tags"] == ["v*"]


def test_tags_publish_a_release(job: dict[str, Any]) -> None:
    release = next(step for step in job["steps"] if str(step.get("uses", "")).startswith("softprops/action-gh-release"))
    assert release["if"].startswith("startsWith(github.ref, 'refs/tags/v')")
    assert release["with"]["files"].endswith(".zip")
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert document["permissions"]["contents"] == "write"
