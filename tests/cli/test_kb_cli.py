"""`kb build`, `kb search`, `kb inspect` through the real command line entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ottenok_desktop.__main__ import main
from tests.services.knowledge.docx_factory import small_shop


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "KNOWLEDGE_BASE_DIR", "OTTENOK_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's folder
    shop = small_shop(tmp_path / "kb")
    monkeypatch.setenv("KNOWLEDGE_BASE_DIR", str(shop))
    return {"data": tmp_path / "data", "shop": shop}


def run(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), "kb", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_search_builds_on_first_use_and_prints_json(env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, env["data"], "search", "скока доставка в астану сдэк", "--k", "2", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["query"] == "скока доставка в астану сдэк" and len(payload["results"]) == 2
    first = payload["results"][0]
    assert first["source"] == "scripts/delivery.docx" and first["section"].startswith("Доставка")
    assert first["text"] and first["score"] > 0 and first["rank"] == 1
    assert (env["data"] / "index" / "current").is_file()

    code, out, _ = run(capsys, env["data"], "search", "лоферы шанель")
    assert code == 0 and out.startswith("1. [") and "catalog/loafers.docx" in out


def test_build_reports_files_and_rejects_a_broken_one(env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, env["data"], "build", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["ok"] and payload["files"] == 5 and payload["chunks"] > 0
    version = payload["version"]

    (env["shop"] / "catalog" / "bad.docx").write_bytes(b"garbage")
    code, out, err = run(capsys, env["data"], "build")
    assert code == 1 and out == ""
    assert "catalog/bad.docx" in err and "not a valid .docx" in err and version in err
    assert "Traceback" not in err
    code, out, _ = run(capsys, env["data"], "search", "рассрочка", "--json")
    assert code == 0 and json.loads(out)["version"] == version


def test_build_with_source_option_and_missing_folder(env: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    other = small_shop(tmp_path / "other")
    code, out, _ = run(capsys, env["data"], "build", "--source", str(other))
    assert code == 0 and "5 files" in out
    code, out, err = run(capsys, env["data"], "build", "--source", str(tmp_path / "missing"))
    assert code == 2 and out == "" and "not found" in err


def test_inspect_chat_and_document(env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, env["data"], "inspect", str(env["shop"] / "chats" / "good_answers.txt"), "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["type"] == "chat" and len(payload["messages"]) == 3
    assert payload["messages"][0] == {
        "timestamp": "2025-11-12T10:02:00", "author": "Айгерим", "text": "а примерка есть?",
        "is_system": False, "is_media": False, "attachment": None, "line": 1,
    }
    assert payload["messages"][2]["is_media"]

    code, out, _ = run(capsys, env["data"], "inspect", str(env["shop"] / "catalog" / "loafers.docx"), "--json")
    payload = json.loads(out)
    assert code == 0 and payload["type"] == "document" and payload["kind"] == "catalog"
    assert any("Размер: 37" in c["text"] for c in payload["chunks"])

    code, out, _ = run(capsys, env["data"], "inspect", str(env["shop"] / "catalog" / "loafers.docx"))
    assert code == 0 and "Лоферы Chanel" in out


def test_errors_go_to_stderr_with_nonzero_exit(env: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, env["data"], "inspect", str(tmp_path / "nope.docx"))
    assert code != 0 and out == "" and "not found" in err
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"xx")
    code, out, err = run(capsys, env["data"], "inspect", str(broken), "--json")
    assert code != 0 and out == "" and "broken.docx" in err and "Traceback" not in err
    code, out, err = run(capsys, env["data"], "search", "доставка", "--k", "0")
    assert code == 2 and out == "" and "--k" in err


def test_missing_configured_folder_falls_back_to_the_sample_shop(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KNOWLEDGE_BASE_DIR", str(tmp_path / "not-there"))
    code, out, err = run(capsys, env["data"], "search", "сумка прада ре эдишн", "--json", "--k", "3")
    assert code == 0, err
    sources = [r["source"] for r in json.loads(out)["results"]]
    assert "catalog/bag_prada_re_edition.docx" in sources
