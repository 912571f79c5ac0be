"""Write real .docx files for the knowledge tests (python-docx), and a small source folder."""

from __future__ import annotations

from pathlib import Path


def product_card(path: Path, title: str, intro: str, rows: list[list[str]], *, header: list[str] | None = None) -> Path:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    document.add_paragraph(intro)
    document.add_heading("Размеры и цены", level=2)
    header = header or ["Размер", "Цвет", "Цена"]
    table = document.add_table(rows=1, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def script_doc(path: Path, title: str, sections: dict[str, list[str]]) -> Path:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for heading, paragraphs in sections.items():
        document.add_heading(heading, level=2)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def small_shop(root: Path) -> Path:
    """A little knowledge folder: two product cards, two policies, one chat export."""
    product_card(root / "catalog" / "loafers.docx", "Лоферы Chanel", "Кожаные лоферы Chanel с цепочкой, идут в размер.",
                 [["37", "чёрный", "89 000 ₸"], ["38", "бежевый", "89 000 ₸"]])
    product_card(root / "catalog" / "sneakers.docx", "Кроссовки Balenciaga Triple S",
                 "Массивные кроссовки Balenciaga Triple S, большемерят: берите на размер меньше.",
                 [["38", "белый", "119 000 ₸"], ["39", "чёрный", "119 000 ₸"]])
    script_doc(root / "scripts" / "delivery.docx", "Доставка", {
        "По Алматы": ["Курьер Indriver в день заказа, 1 500–2 500 ₸, от 100 000 ₸ бесплатно."],
        "По Казахстану": ["СДЭК 2–5 рабочих дней, 2 500–3 500 ₸. Казпочта 5–10 дней, 2 000 ₸. Только предоплата."],
    })
    script_doc(root / "scripts" / "payment.docx", "Оплата", {
        "Способы": ["Kaspi Gold, Kaspi QR, наличные, карты Halyk."],
        "Рассрочка": ["Рассрочка Kaspi Red на 3 месяца без переплат."],
    })
    chats = root / "chats"
    chats.mkdir(parents=True, exist_ok=True)
    (chats / "good_answers.txt").write_text(
        "12.11.2025, 10:02 - Айгерим: а примерка есть?\n"
        "12.11.2025, 10:04 - Алина: Да, курьер ждёт 15 минут, пока вы примерите 😊\n"
        "12.11.2025, 10:06 - Айгерим: <Без медиафайлов>\n",
        encoding="utf-8",
    )
    return root
