"""Generate the sample shop used by the demo mode and the tests.

Writes `data/inventory.xlsx` (Russian headers, prices in tenge, some sizes sold out) and
`data/photos/<product>/<colour>_N.jpg` (640 px catalog-style pictures drawn by
`sample_pictures.py`: each product its own shape and details, every colour the same
product in that colour; one or two shots per colour).
Deterministic: running it again produces the same stock. Run from anywhere:

    .venv/bin/python data/make_sample_shop.py
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
JPEG_QUALITY = 85
SHOE_SIZES = ["35", "36", "37", "38", "39", "40", "41"]
NO_SIZE = ["-"]

# (product, brand, category, sizes, colours, price in tenge, sku prefix)
PRODUCTS: list[tuple[str, str, str, list[str], list[str], int, str]] = [
    ("Лоферы Chanel", "Chanel", "Обувь", SHOE_SIZES, ["черный", "бежевый"], 285_000, "CH-LF"),
    ("Кроссовки Balenciaga Triple S", "Balenciaga", "Обувь", SHOE_SIZES, ["белый", "черный", "серый"], 420_000, "BL-TS"),
    ("Туфли Saint Laurent Opyum", "Saint Laurent", "Обувь", SHOE_SIZES[:6], ["черный", "красный"], 390_000, "YSL-OP"),
    ("Босоножки Jimmy Choo Bing", "Jimmy Choo", "Обувь", SHOE_SIZES, ["золотой", "черный"], 310_000, "JC-BG"),
    ("Мюли Dior Dway", "Dior", "Обувь", SHOE_SIZES, ["бежевый", "черный"], 295_000, "DR-DW"),
    ("Балетки Miu Miu", "Miu Miu", "Обувь", SHOE_SIZES, ["белый", "черный", "розовый"], 265_000, "MM-BL"),
    ("Сапоги Bottega Veneta Lug", "Bottega Veneta", "Обувь", SHOE_SIZES, ["черный"], 450_000, "BV-LG"),
    ("Ботильоны Prada Monolith", "Prada", "Обувь", SHOE_SIZES, ["черный"], 398_000, "PR-MN"),
    ("Кеды Golden Goose Superstar", "Golden Goose", "Обувь", SHOE_SIZES, ["белый"], 189_000, "GG-SS"),
    ("Кроссовки New Balance 530", "New Balance", "Обувь", SHOE_SIZES, ["белый", "серый"], 65_000, "NB-530"),
    ("Кроссовки Nike Air Force 1", "Nike", "Обувь", SHOE_SIZES, ["белый"], 55_000, "NK-AF1"),
    ("Сандалии Hermès Oran", "Hermès", "Обувь", SHOE_SIZES, ["бежевый", "черный"], 240_000, "HR-OR"),
    ("Лоферы Gucci Jordaan", "Gucci", "Обувь", SHOE_SIZES, ["черный", "коричневый"], 275_000, "GC-JD"),
    ("Туфли Christian Louboutin So Kate", "Christian Louboutin", "Обувь", SHOE_SIZES[:6], ["черный лак", "бежевый"], 360_000, "CL-SK"),
    ("Лоферы Loro Piana Summer Walk", "Loro Piana", "Обувь", SHOE_SIZES, ["бежевый", "синий"], 330_000, "LP-SW"),
    ("Угги UGG Tasman", "UGG", "Обувь", SHOE_SIZES, ["коричневый", "черный"], 85_000, "UG-TS"),
    ("Сумка Prada Re-Edition 2005", "Prada", "Сумки", NO_SIZE, ["черный", "белый"], 380_000, "PR-RE"),
    ("Сумка Chanel 2.55", "Chanel", "Сумки", NO_SIZE, ["черный", "бежевый"], 450_000, "CH-255"),
    ("Клатч Bottega Veneta Pouch", "Bottega Veneta", "Сумки", NO_SIZE, ["черный", "зеленый"], 350_000, "BV-PC"),
    ("Сумка Dior Book Tote", "Dior", "Сумки", NO_SIZE, ["синий"], 420_000, "DR-BT"),
    ("Рюкзак Prada Re-Nylon", "Prada", "Сумки", NO_SIZE, ["черный"], 210_000, "PR-RN"),
    ("Кошелек Louis Vuitton Zippy", "Louis Vuitton", "Сумки", NO_SIZE, ["коричневый"], 145_000, "LV-ZP"),
    ("Ремень Hermès H", "Hermès", "Аксессуары", NO_SIZE, ["черный", "коричневый"], 160_000, "HR-H"),
    ("Ремень Gucci GG", "Gucci", "Аксессуары", NO_SIZE, ["черный"], 120_000, "GC-GG"),
    ("Платок Hermès Carré", "Hermès", "Аксессуары", NO_SIZE, ["мультиколор", "синий"], 95_000, "HR-CR"),
    ("Очки Celine Triomphe", "Celine", "Аксессуары", NO_SIZE, ["черный"], 135_000, "CE-TR"),
    ("Ободок Miu Miu", "Miu Miu", "Аксессуары", NO_SIZE, ["черный", "розовый"], 15_000, "MM-OB"),
]

# Fixed quantities the tests rely on: (product, size, colour) -> quantity.
FIXED: dict[tuple[str, str, str], int] = {
    ("Лоферы Chanel", "38", "черный"): 2,
    ("Лоферы Chanel", "39", "черный"): 0,
    ("Лоферы Chanel", "38", "бежевый"): 1,
    ("Лоферы Chanel", "37", "бежевый"): 0,
    ("Кроссовки Balenciaga Triple S", "38", "черный"): 1,
    ("Кроссовки Balenciaga Triple S", "37", "белый"): 3,
    ("Кроссовки Balenciaga Triple S", "40", "серый"): 0,
    ("Туфли Saint Laurent Opyum", "37", "черный"): 1,
    ("Туфли Saint Laurent Opyum", "37", "красный"): 0,
    ("Мюли Dior Dway", "38", "бежевый"): 0,
    ("Мюли Dior Dway", "38", "черный"): 2,
    ("Сумка Prada Re-Edition 2005", "-", "черный"): 2,
    ("Сумка Prada Re-Edition 2005", "-", "белый"): 0,
    ("Сумка Chanel 2.55", "-", "черный"): 1,
}

COLOR_RGB: dict[str, tuple[int, int, int]] = {
    "черный": (25, 25, 28), "бежевый": (222, 196, 160), "белый": (245, 245, 240), "серый": (150, 150, 155),
    "красный": (190, 30, 45), "золотой": (212, 175, 55), "розовый": (240, 170, 190), "коричневый": (110, 70, 40),
    "синий": (30, 50, 120), "зеленый": (40, 110, 60), "черный лак": (10, 10, 12), "мультиколор": (200, 120, 60),
}


def write_inventory(path: Path) -> int:
    import openpyxl
    from openpyxl.styles import Font

    rng = random.Random(42)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Остатки"
    sheet.append(["Товар", "Размер", "Цвет", "Остаток", "Цена", "Артикул", "Бренд", "Категория"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    rows = 0
    for product, brand, category, sizes, colors, price, sku in PRODUCTS:
        for color in colors:
            for size in sizes:
                quantity = FIXED.get((product, size, color))
                if quantity is None:
                    quantity = rng.choice([0, 1, 1, 2, 2, 3, 4, 5])
                code = f"{sku}-{size if size != '-' else 'U'}-{colors.index(color) + 1}"
                sheet.append([product, size if size == "-" else int(size), color, quantity, price, code, brand, category])
                sheet.cell(row=sheet.max_row, column=5).number_format = '# ##0 "₸"'
                rows += 1
    for column, width in zip("ABCDEFGH", (36, 8, 14, 9, 12, 16, 20, 12)):
        sheet.column_dimensions[column].width = width
    workbook.save(path)
    return rows


def write_photos(root: Path) -> int:
    sys.path.insert(0, str(HERE))
    from sample_pictures import render

    if root.exists():
        shutil.rmtree(root)
    count = 0
    for index, (product, _brand, _category, _sizes, colors, _price, _sku) in enumerate(PRODUCTS):
        folder = root / product
        folder.mkdir(parents=True)
        for color_index, color in enumerate(colors):
            for number in range(1, 3 if (index + color_index) % 2 == 0 else 2):
                picture = render(product, index, COLOR_RGB[color], number)
                # optimize/no subsampling: smaller files, sharp edges on the wordmarks
                picture.save(folder / f"{color}_{number}.jpg", "JPEG", quality=JPEG_QUALITY, optimize=True)
                count += 1
    return count


def main() -> None:
    rows = write_inventory(HERE / "inventory.xlsx")
    photos = write_photos(HERE / "photos")
    size = sum(p.stat().st_size for p in (HERE / "photos").rglob("*") if p.is_file())
    print(f"inventory.xlsx: {rows} rows, {len(PRODUCTS)} products; photos: {photos} files, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
