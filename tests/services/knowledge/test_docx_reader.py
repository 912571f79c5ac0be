"""Reading real .docx files: headings become sections, tables become rows; bad files are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from ottenok_desktop.services.knowledge.chunking import chunks_from_blocks
from ottenok_desktop.services.knowledge.docx_reader import docx_has_product_table, read_docx
from ottenok_desktop.services.knowledge.models import DocumentError

from .docx_factory import product_card, script_doc


def test_headings_paragraphs_and_table_rows(tmp_path: Path) -> None:
    path = product_card(tmp_path / "loafers.docx", "Лоферы Chanel", "Мягкая кожа, идут в размер.",
                        [["37", "чёрный", "89 000 ₸"], ["38", "бежевый", "92 000 ₸"]])
    blocks = read_docx(path)
    assert blocks[0].section == "Лоферы Chanel" and blocks[0].text == "Мягкая кожа, идут в размер."
    rows = [b for b in blocks if b.table]
    assert [b.text for b in rows] == ["Размер: 37; Цвет: чёрный; Цена: 89 000 ₸", "Размер: 38; Цвет: бежевый; Цена: 92 000 ₸"]
    assert all(b.section == "Лоферы Chanel / Размеры и цены" for b in rows)
    chunks = chunks_from_blocks(blocks, "catalog/loafers.docx", "catalog")
    table_chunk = [c for c in chunks if c.metadata["table"]][0]
    assert table_chunk.text.startswith("Лоферы Chanel / Размеры и цены\n") and "38; Цвет: бежевый" in table_chunk.text
    assert table_chunk.metadata["product"] == "Лоферы Chanel"
    assert docx_has_product_table(path)


def test_nested_heading_levels_reset(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Политики", level=1)
    document.add_heading("Возврат", level=2)
    document.add_paragraph("14 дней с чеком.")
    document.add_heading("Гарантия", level=2)
    document.add_paragraph("30 дней на швы и подошву.")
    document.add_heading("Адрес", level=1)
    document.add_paragraph("ТЦ «Глобус», Алматы.")
    document.save(tmp_path / "p.docx")
    blocks = read_docx(tmp_path / "p.docx")
    assert [(b.section, b.text) for b in blocks] == [
        ("Политики / Возврат", "14 дней с чеком."),
        ("Политики / Гарантия", "30 дней на швы и подошву."),
        ("Адрес", "ТЦ «Глобус», Алматы."),
    ]
    assert not docx_has_product_table(tmp_path / "p.docx")


def test_empty_document_is_an_error_naming_the_file(tmp_path: Path) -> None:
    import docx

    docx.Document().save(tmp_path / "empty.docx")
    with pytest.raises(DocumentError) as caught:
        read_docx(tmp_path / "empty.docx", "scripts/empty.docx")
    assert caught.value.file == "scripts/empty.docx" and "no text" in caught.value.reason
    assert "scripts/empty.docx" in str(caught.value) and caught.value.reason_ru


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04broken zip header"])
def test_corrupt_document_is_an_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(content)
    with pytest.raises(DocumentError) as caught:
        read_docx(path)
    assert caught.value.file == "broken.docx" and "not a valid .docx" in caught.value.reason


def test_huge_document_keeps_every_paragraph(tmp_path: Path) -> None:
    sections = {f"Раздел {s}": [f"Абзац {s}-{p}: туфли, размер {35 + p % 6}, доставка по Алматы." for p in range(100)]
                for s in range(30)}
    path = script_doc(tmp_path / "huge.docx", "Большой документ", sections)
    blocks = read_docx(path)
    chunks = chunks_from_blocks(blocks, "scripts/huge.docx", "script")
    assert len(blocks) == 3000
    joined = "\n".join(c.text for c in chunks)
    assert "Абзац 29-99" in joined and "Абзац 0-0" in joined
    assert all(len(c.text) <= 700 + 80 for c in chunks)  # packed, section title included
    assert len({c.id for c in chunks}) == len(chunks)
