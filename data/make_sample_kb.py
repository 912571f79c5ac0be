"""Generate the sample knowledge base of «Оттенок» (data/knowledge_base/) with python-docx.

Run: `.venv/bin/python data/make_sample_kb.py` — it rewrites catalog/*.docx and
scripts/*.docx (the chats/ exports are hand-written text files and are left alone).

The stock file `data/inventory.xlsx` is the authority for what the shop sells: product
names, colours, sizes and prices in the catalog cards are read from it with the project's
own inventory loader, so the sample catalog can never contradict the stock file (a card
whose product is not in the file stops the run). Only the prose (descriptions, fit, care)
is written here. Availability is not copied into the cards: it changes every day and the
bot reads it live from the stock file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE / "knowledge_base"
STOCK_FILE = HERE / "inventory.xlsx"
if str(HERE.parent) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(HERE.parent))

STOCK_NOTE = ("Наличие размеров и цветов меняется каждый день — актуальные остатки и цену "
              "менеджер проверяет по складу перед оформлением.")

# stock product name -> file, intro paragraphs, details (heading -> paragraphs). Nothing here
# names a price, a colour or a size the stock file could disagree with.
PRODUCTS: dict[str, dict[str, Any]] = {
    "Лоферы Chanel": {
        "file": "loafers_chanel.docx",
        "intro": [
            "Классические лоферы Chanel из мягкой гладкой кожи с фирменной цепочкой и логотипом CC. "
            "Подходят к джинсам, брюкам и платьям, хороши и в офис, и на каждый день.",
            "Страна производства: Италия.",
        ],
        "details": {
            "Материал и посадка": [
                "Верх — натуральная кожа, подкладка — кожа, подошва — кожа с резиновой профилактикой. "
                "Каблук 2 см. Колодка стандартная, идут в размер; на широкую стопу советуем взять на полразмера больше.",
            ],
            "Комплектация": ["Фирменная коробка, пыльник, сменные набойки."],
        },
    },
    "Кроссовки Balenciaga Triple S": {
        "file": "sneakers_balenciaga_triple_s.docx",
        "intro": [
            "Массивные кроссовки Balenciaga Triple S на многослойной подошве — те самые «папины кроссовки». "
            "Визуально удлиняют ногу и добавляют роста около 5 см.",
        ],
        "details": {
            "Материал и посадка": [
                "Верх — комбинация натуральной кожи, замши и сетки. Подошва — трёхслойная, вспененная резина. "
                "Модель большемерит: берите на размер меньше, чем обычно носите.",
            ],
            "Уход": ["Белую подошву чистить влажной салфеткой или меламиновой губкой; сетку — щёткой, без стирки в машинке."],
        },
    },
    "Туфли Saint Laurent Opyum": {
        "file": "pumps_saint_laurent.docx",
        "intro": [
            "Туфли-лодочки Saint Laurent (YSL) Opyum с каблуком в форме логотипа YSL. Высота каблука 11 см. "
            "Вечерний вариант и для особых случаев: свадьба, выпускной, корпоратив.",
        ],
        "details": {
            "Материал и посадка": [
                "Гладкая кожа, стелька с мягкой подложкой под пяткой. Колодка узкая, "
                "на полноту стопы выше средней советуем брать на полразмера больше.",
            ],
        },
    },
    "Мюли Dior Dway": {
        "file": "mules_dior.docx",
        "intro": [
            "Мюли Dior Dway без задника на плоской подошве, верх с вышивкой Christian Dior. "
            "Лёгкая летняя модель: к платьям, шортам и льняным брюкам.",
        ],
        "details": {
            "Материал и посадка": [
                "Верх — хлопковый текстиль с вышивкой, стелька и подошва — кожа. Идут в размер. "
                "Половинок нет: при промежуточном размере берите больший.",
            ],
        },
    },
    "Балетки Miu Miu": {
        "file": "ballet_flats_miu_miu.docx",
        "intro": [
            "Атласные балетки Miu Miu с бантом и тонким ремешком на щиколотке. Самая трендовая модель сезона, "
            "удобны на каждый день.",
        ],
        "details": {
            "Материал и посадка": [
                "Верх — атлас, подкладка — кожа, подошва — кожа. Маломерят: если носите 37 с половиной, берите 38.",
            ],
            "Уход": ["Атлас боится воды: в дождь лучше не надевать, пятна убирать сухой щёткой."],
        },
    },
    "Босоножки Jimmy Choo Bing": {
        "file": "sandals_jimmy_choo_bing.docx",
        "intro": [
            "Босоножки-мюли Jimmy Choo Bing на тонком каблуке с прозрачным ремешком, украшенным кристаллами. "
            "Каблук 10 см, устойчивый, можно отгулять целый вечер: свадьба, выпускной, ресторан.",
        ],
        "details": {
            "Материал и посадка": ["Стелька и подошва — кожа, ремешок — ПВХ с кристаллами. Идут в размер."],
        },
    },
    "Сумка Prada Re-Edition 2005": {
        "file": "bag_prada_re_edition.docx",
        "intro": [
            "Сумка Prada Re-Edition 2005 из переработанного нейлона Re-Nylon с металлическим треугольным логотипом. "
            "Носится на плече, в комплекте съёмный кожаный ремень и маленький кошелёк-клатч.",
            "Размер сумки: 22 × 18 × 6 см.",
        ],
        "details": {
            "Что помещается": ["Телефон, ключи, кошелёк, помада, солнцезащитные очки в мягком чехле."],
        },
    },
    "Сумка Chanel 2.55": {
        "file": "bag_chanel_2_55.docx",
        "intro": [
            "Легендарная стёганая сумка Chanel 2.55 на цепочке с замком Mademoiselle. Размер medium: 25 × 16 × 7 см. "
            "Цепочку можно носить на плече или через плечо.",
        ],
        "details": {
            "Материал": ["Состаренная телячья кожа, фурнитура под состаренное серебро, подкладка — кожа."],
        },
    },
    "Ремень Gucci GG": {
        "file": "belt_gucci.docx",
        "intro": [
            "Кожаный ремень Gucci с пряжкой Double G. Ширина 3 см — к джинсам, брюкам и платьям.",
        ],
        "details": {
            "Как выбрать длину ремня": [
                "Ремень один, универсальной длины. Измерьте талию или бёдра там, где будете его носить: "
                "лишнюю длину в магазине укоротят бесплатно за 15 минут, по Алматы — при доставке курьером на следующий день.",
            ],
        },
    },
    "Платок Hermès Carré": {
        "file": "scarf_hermes.docx",
        "intro": [
            "Шёлковый платок Hermès Carré 90 × 90 см с ручной подрубкой краёв. Можно носить на шее, на голове, "
            "завязать на ручку сумки или как топ.",
        ],
        "details": {
            "Уход": ["Только сухая чистка или деликатная ручная стирка в прохладной воде, гладить с изнанки через ткань."],
            "Подарок": ["Продаётся в фирменной оранжевой коробке — отличный подарок на 8 Марта и день рождения."],
        },
    },
    "Кеды Golden Goose Superstar": {
        "file": "sneakers_golden_goose.docx",
        "intro": [
            "Кеды Golden Goose Superstar с эффектом потёртости и звездой сбоку. Состаренный вид — задумка дизайнера, а не брак.",
        ],
        "details": {
            "Материал и посадка": ["Кожа, подкладка — кожа, скрытая танкетка 2 см внутри. Идут в размер."],
        },
    },
}

# file -> (title, [(heading, [paragraphs or ("table", header, rows)])])
SCRIPTS: dict[str, tuple[str, list[tuple[str, list[Any]]]]] = {
    "delivery.docx": ("Доставка", [
        ("Доставка по Алматы", [
            "По Алматы доставляем курьером (Indriver или наш курьер) в день заказа, если заказ оформлен до 17:00. "
            "Заказы после 17:00 приезжают на следующий день.",
            "Стоимость доставки по Алматы — от 1 500 до 2 500 ₸ в зависимости от района. При заказе от 100 000 ₸ "
            "доставка по городу бесплатная.",
            "Курьер ждёт до 15 минут: можно примерить обувь и оплатить только то, что подошло.",
        ]),
        ("Доставка по Казахстану", [
            "Отправляем по всему Казахстану: Астана, Шымкент, Караганда, Актобе, Атырау, Усть-Каменогорск и другие города.",
            "Казпочта — 5–10 рабочих дней, стоимость 2 000 ₸. СДЭК (CDEK) — 2–5 рабочих дней до пункта выдачи, "
            "стоимость 2 500–3 500 ₸, до двери — плюс 1 000 ₸.",
            "Отправка в день оплаты, если оплата пришла до 16:00. Трек-номер присылаем в WhatsApp.",
            "Доставка по Казахстану — по предоплате 100% (Kaspi перевод или Kaspi QR). Наложенного платежа нет.",
        ]),
        ("Стоимость и сроки (кратко)", [
            ("table", ["Способ", "Срок", "Стоимость"], [
                ["Курьер по Алматы (Indriver)", "в день заказа", "1 500–2 500 ₸, от 100 000 ₸ бесплатно"],
                ["Казпочта", "5–10 рабочих дней", "2 000 ₸"],
                ["СДЭК до пункта выдачи", "2–5 рабочих дней", "2 500–3 500 ₸"],
                ["Самовывоз из магазина", "сразу", "бесплатно"],
            ]),
        ]),
    ]),
    "returns_exchange.docx": ("Возврат и обмен", [
        ("Условия возврата", [
            "Вернуть или обменять товар можно в течение 14 дней с момента покупки. Нужен чек (или электронный чек Kaspi), "
            "товар не носили, сохранены бирки, коробка и пыльник.",
            "Обувь с потёртой подошвой, следами носки на улице или без коробки к возврату не принимается.",
            "Деньги возвращаем тем же способом, каким оплатили: на карту Kaspi — в течение 1–3 рабочих дней.",
        ]),
        ("Обмен размера", [
            "Не подошёл размер — обменяем на другой размер или другую модель той же стоимости, если она есть в наличии. "
            "В Алматы курьер может привезти новый размер и забрать старый за один приезд.",
        ]),
        ("Кто платит за доставку при возврате", [
            "Если товар не подошёл — пересылку обратно оплачивает покупатель. Если брак или мы ошиблись с моделью — "
            "доставку в обе стороны оплачивает магазин.",
        ]),
    ]),
    "warranty.docx": ("Гарантия", [
        ("Сроки гарантии", [
            "На обувь действует гарантия 30 дней со дня покупки: швы, подошва, каблук, фурнитура.",
            "На сумки и ремни — 60 дней: швы, ручки, цепочки, замки и молнии.",
        ]),
        ("Что не входит в гарантию", [
            "Естественный износ, набойки, механические повреждения (порезы, сбитые носы), следы воды и химии, "
            "неправильный уход, ремонт в сторонней мастерской.",
        ]),
        ("Как обратиться по гарантии", [
            "Напишите нам в WhatsApp: фото дефекта, номер заказа или чек. Менеджер ответит в течение дня. "
            "Гарантийный ремонт — до 14 дней; если ремонт невозможен, заменим товар или вернём деньги.",
        ]),
    ]),
    "payment.docx": ("Оплата", [
        ("Способы оплаты", [
            "Kaspi Gold — перевод по номеру телефона магазина. Kaspi QR — в магазине или по ссылке. "
            "Наличные — в магазине и курьеру по Алматы. Карты Halyk Bank и любые Visa/Mastercard — через терминал в магазине.",
        ]),
        ("Рассрочка и кредит", [
            "Есть рассрочка Kaspi Red на 3 месяца без переплат и Kaspi кредит на 6–12 месяцев. "
            "Оформляется за пару минут в приложении Kaspi.kz по нашему QR или ссылке. Также работает рассрочка Halyk (0-0-6).",
        ]),
        ("Предоплата", [
            "По Алматы оплата при получении, после примерки. Для доставки в другие города — 100% предоплата. "
            "Бронь товара на 24 часа — без предоплаты, дольше — предоплата 10 000 ₸.",
        ]),
    ]),
    "shop_info.docx": ("Магазин «Оттенок»", [
        ("Адрес", [
            "Алматы, ТЦ «Глобус», ул. Абая 109В, 2 этаж, бутик 214 (вход со стороны ул. Жарокова). "
            "Рядом парковка ТЦ, первые 2 часа бесплатно.",
        ]),
        ("Часы работы", [
            "Магазин работает ежедневно с 10:00 до 20:00, без выходных и перерыва на обед. "
            "В WhatsApp отвечаем с 9:00 до 21:00.",
        ]),
        ("Контакты", [
            "WhatsApp: +7 701 555 12 34. Instagram: @ottenok.almaty. Живые фото и видео моделей присылаем по запросу.",
        ]),
    ]),
    "fitting_and_sizes.docx": ("Примерка и размеры", [
        ("Примерка", [
            "Примерить можно в магазине без записи. По Алматы курьер привозит модель на примерку и ждёт до 15 минут; "
            "можно заказать сразу два соседних размера и оставить подходящий.",
        ]),
        ("Как определить размер", [
            "Поставьте ногу на лист бумаги, обведите и измерьте длину от пятки до самого длинного пальца. "
            "Сверьтесь с таблицей. Если длина между размерами — берите больший.",
        ]),
        ("Таблица размеров обуви", [
            ("table", ["Размер RU/EU", "Длина стопы, см", "US"], [
                ["35", "22,5", "5"], ["36", "23", "6"], ["37", "23,5–24", "6,5"], ["38", "24,5", "7,5"],
                ["39", "25", "8"], ["40", "25,5–26", "9"], ["41", "26,5", "10"],
            ]),
        ]),
        ("Особенности моделей", [
            "Balenciaga Triple S большемерят — на размер меньше. Балетки Miu Miu маломерят — на полразмера больше. "
            "Лоферы Chanel, мюли Dior, кеды Golden Goose и босоножки Jimmy Choo идут в размер. "
            "Туфли Saint Laurent узкие — при широкой стопе на полразмера больше.",
        ]),
    ]),
    "care.docx": ("Уход за обувью и сумками", [
        ("Гладкая кожа", ["Протирайте влажной тканью, раз в неделю — крем в тон и водоотталкивающий спрей. Сушить вдали от батареи."]),
        ("Замша и нубук", ["Только сухая чистка специальной щёткой-ластиком, спрей-защита перед первым выходом. Не мочить."]),
        ("Атлас и текстиль", ["Избегайте воды, пятна убирайте сухой щёткой, при сильном загрязнении — химчистка."]),
        ("Сумки", ["Храните в пыльнике, набитыми бумагой, чтобы держали форму. Цепочки не перекручивать, не вешать сумку на крючок за ручки надолго."]),
    ]),
    "sales_script.docx": ("Скрипт продаж для менеджера", [
        ("Приветствие", [
            "Здороваемся по имени, представляемся: «Здравствуйте! Меня зовут Алина, магазин «Оттенок». Подскажу по любой модели 😊». "
            "Не пишем длинных сообщений: 1–3 коротких сообщения подряд.",
        ]),
        ("Выявление потребности", [
            "Уточняем модель (можно фото из рекламы), размер, цвет и город. Спрашиваем, для какого случая: на каждый день, "
            "в офис, на праздник. Предлагаем живые фото и видео.",
        ]),
        ("Работа с возражениями", [
            "«Дорого» — напоминаем про рассрочку Kaspi Red без переплат и про качество кожи; предлагаем похожую модель дешевле.",
            "«Я подумаю» — предлагаем бесплатную бронь на 24 часа и примерку без обязательства покупки.",
            "«Не уверена в размере» — рассказываем про примерку с курьером и обмен размера в течение 14 дней.",
        ]),
        ("Оформление заказа", [
            "Собираем: модель, размер, цвет, имя, телефон, город и адрес доставки, способ оплаты. "
            "Повторяем заказ клиенту целиком и просим подтвердить. После подтверждения — спасибо и сроки доставки.",
        ]),
        ("Когда звать старшего менеджера", [
            "Жалоба, брак, возврат денег, скандал, оптовый заказ, вопрос, на который нет ответа в базе, — передаём чат менеджеру.",
        ]),
    ]),
    "faq.docx": ("Частые вопросы", [
        ("Подарки", [
            "Подарочная упаковка — бесплатно. Есть подарочные сертификаты на 20 000, 50 000 и 100 000 ₸, действуют 6 месяцев.",
        ]),
        ("Скидки и акции", [
            "Цены в магазине фиксированные, торга нет: цена на сайте и в WhatsApp та же, что в бутике. "
            "Постоянным клиентам — скидка 5% со второй покупки. В день рождения (±3 дня) — скидка 10%. Скидки не суммируются.",
        ]),
        ("Оригинальность", [
            "Продаём только оригинальную продукцию: закупаем в официальных бутиках и у проверенных байеров в Европе и Дубае. "
            "Реплик, копий и «люкс-качества» не продаём. По запросу показываем чек бутика или инвойс байера; "
            "пару можно проверить в сервисе аутентификации (Legit Check) — если окажется не оригинал, вернём двойную стоимость.",
        ]),
        ("Комплектация: коробка и пыльник", [
            "Обувь приходит в фирменной коробке бренда с пыльником (мешочком для хранения) и карточкой. "
            "Сумки — с пыльником, карточкой и коробкой бренда; ремни и платки — в фирменной коробке. "
            "Подарочный пакет кладём бесплатно.",
        ]),
        ("Под заказ (предзаказ)", [
            "Модели, цвета и размеры, которых нет в наличии, можно привезти под заказ из Европы: срок 2–3 недели, "
            "предоплата 50%, остаток при получении. Цену под заказ менеджер называет после запроса у байера. "
            "Отказаться можно до выкупа у байера; после выкупа предоплата не возвращается.",
        ]),
        ("Бронь", [
            "Можем отложить модель на 24 часа бесплатно. Если нужно дольше — предоплата 10 000 ₸, бронь до 5 дней.",
        ]),
        ("Фото и видео", [
            "Присылаем живые фото и видео на ноге по запросу в WhatsApp, обычно в течение 10–15 минут.",
        ]),
        ("Поступления", [
            "Новые поступления — каждую неделю, обычно по четвергам. Можем записать вас в лист ожидания нужного размера.",
        ]),
    ]),
}


def load_index(path: Path = STOCK_FILE) -> Any:
    """The stock file through the project's own loader; a bad file stops the run with its errors."""
    from ottenok_desktop.services.inventory.loader import load_stock

    loaded = load_stock(path)
    if loaded.index is None:
        raise SystemExit(f"{path}: the stock file is not usable: " + "; ".join(loaded.result.errors_en))
    return loaded.index


def _price_text(prices: list[int]) -> str:
    from ottenok_desktop.engine.dialogue.offline import format_price

    low, high = min(prices), max(prices)
    return format_price(low) if low == high else f"{format_price(low)} – {format_price(high)}"


def _size_text(sizes: list[str]) -> str:
    # "35–41" when the run has no gaps in the usual whole sizes, else the list
    whole = [s for s in sizes if s.isdigit()]
    if len(whole) == len(sizes) and len(sizes) > 2 and [int(s) for s in sizes] == list(range(int(sizes[0]), int(sizes[-1]) + 1)):
        return f"{sizes[0]}–{sizes[-1]}"
    return ", ".join(sizes)


def product_table(index: Any, product: str) -> tuple[list[str], list[list[str]]]:
    """The card's table, one row per colour, read from the stock index (colours as the file writes them)."""
    items = [i for i in index.items if i.product == product]
    if not items:
        raise SystemExit(f"{product!r} is not in the stock file {STOCK_FILE.name}: fix the card list or the file")
    has_sizes = any(i.size for i in items)
    header = ["Цвет", "Размеры", "Цена"] if has_sizes else ["Цвет", "Цена"]
    rows: list[list[str]] = []
    for color in index.colors_of(product):
        of_color = [i for i in items if i.color == color]
        prices = [i.price for i in of_color]
        if has_sizes:
            sizes = [s for s in index.sizes_of(product, color, in_stock_only=False) if s]
            rows.append([color, _size_text(sizes), _price_text(prices)])
        else:
            rows.append([color, _price_text(prices)])
    return header, rows


def _add_table(document: Any, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text


def write_product(product: str, spec: dict[str, Any], index: Any, folder: Path) -> Path:
    import docx

    header, rows = product_table(index, product)
    document = docx.Document()
    document.add_heading(product, level=1)
    for paragraph in spec["intro"]:
        document.add_paragraph(paragraph)
    for heading, paragraphs in spec["details"].items():
        document.add_heading(heading, level=2)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    document.add_heading("Цвета, размеры и цены", level=2)
    _add_table(document, header, rows)
    document.add_paragraph(STOCK_NOTE)
    path = folder / spec["file"]
    document.save(path)
    return path


def write_script(file: str, title: str, sections: list[tuple[str, list[Any]]], folder: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for heading, items in sections:
        document.add_heading(heading, level=2)
        for item in items:
            if isinstance(item, tuple):
                _, header, rows = item
                _add_table(document, header, rows)
            else:
                document.add_paragraph(item)
    document.save(folder / file)


def main(root: Path = ROOT, stock_file: Path = STOCK_FILE) -> None:
    index = load_index(stock_file)
    catalog = root / "catalog"
    scripts = root / "scripts"
    catalog.mkdir(parents=True, exist_ok=True)
    scripts.mkdir(parents=True, exist_ok=True)
    written = {write_product(product, spec, index, catalog).name for product, spec in PRODUCTS.items()}
    # the catalog folder is this script's output: a card for a product no longer described goes
    for stale in catalog.glob("*.docx"):
        if stale.name not in written:
            stale.unlink()
    for file, (title, sections) in SCRIPTS.items():
        write_script(file, title, sections, scripts)
    print(f"wrote {len(written)} product cards (from {stock_file.name}) and {len(SCRIPTS)} scripts into {root}")


if __name__ == "__main__":
    main()
