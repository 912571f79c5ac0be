"""Read a Word .docx into blocks: headings become section titles, tables become rows.

Paragraphs and tables are walked in document order (python-docx lists them apart), so a
table stays under the heading it follows. A table row becomes "Header: value; …" using
the first row as the header, which keeps "Размер: 38; Цвет: чёрный" searchable together.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

from . import texts
from .models import Block, DocumentError

MAX_DOCX_BYTES = 50 * 1024 * 1024  # larger than any real catalog; protects the build from junk
_HEADING_RE = re.compile(r"^(heading|заголовок|title|название)\s*(\d*)", re.IGNORECASE)


def _heading_level(paragraph: Any) -> int | None:
    style = getattr(paragraph.style, "name", "") or ""
    match = _HEADING_RE.match(style)
    if not match:
        return None
    if match.group(1).lower() in {"title", "название"}:
        return 0
    return int(match.group(2) or 1)


def _iter_body(document: Any) -> Iterator[Any]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield Paragraph(child, document)
        elif tag == "tbl":
            yield Table(child, document)


def _cell_text(cell: Any) -> str:
    return " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())


def _table_rows(table: Any) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous: Any = None
        for cell in row.cells:
            # Merged cells repeat the same object; keep one copy.
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(_cell_text(cell))
        if any(cells):
            rows.append(cells)
    return rows


def read_docx(path: Path, name: str | None = None) -> list[Block]:
    """Blocks of a .docx; raises DocumentError naming the file on a broken or empty one."""
    label = name or path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(label, f"cannot read the file ({exc.strerror})", texts.UNREADABLE_FILE) from None
    if size > MAX_DOCX_BYTES:
        raise DocumentError(label, f"file is too large ({size // 1_048_576} MB)", texts.TOO_LARGE)
    try:
        import docx  # lazy: python-docx pulls lxml

        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many types for junk (zip, xml, key errors)
        raise DocumentError(
            label, f"not a valid .docx ({type(exc).__name__}: {exc})"[:300], texts.CORRUPT_DOCX
        ) from None
    return blocks_from_document(document, label)


def blocks_from_document(document: Any, label: str) -> list[Block]:
    from docx.table import Table

    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    table_no = 0
    for item in _iter_body(document):
        section = " / ".join(title for _, title in headings)
        if isinstance(item, Table):
            table_no += 1
            rows = _table_rows(item)
            if not rows:
                continue
            header = rows[0]
            has_header = len(rows) > 1 and all(cell and len(cell) <= 40 for cell in header)
            body = rows[1:] if has_header else rows
            for row in body:
                if has_header:
                    pairs = [f"{h}: {v}" for h, v in zip(header, row) if v]
                    text = "; ".join(pairs)
                else:
                    text = " | ".join(cell for cell in row if cell)
                if text:
                    blocks.append(Block(section=section, text=text, table=f"t{table_no}"))
            continue
        text = item.text.strip()
        if not text:
            continue
        level = _heading_level(item)
        if level is not None:
            headings = [(lvl, title) for lvl, title in headings if lvl < level]
            headings.append((level, text))
            continue
        blocks.append(Block(section=section, text=text))
    if not blocks:
        if headings:  # headings only: still worth indexing as titles
            return [Block(section=" / ".join(t for _, t in headings[:-1]), text=headings[-1][1])]
        raise DocumentError(label, "the document has no text", texts.EMPTY_DOCUMENT)
    return blocks


def docx_has_product_table(path: Path) -> bool:
    """Guess whether a .docx is a product card (a table with sizes or prices)."""
    try:
        blocks = read_docx(path)
    except DocumentError:
        return False
    keys = ("размер", "цена", "цвет", "size", "price")
    return any(b.table and any(k in b.text.lower() for k in keys) for b in blocks)
