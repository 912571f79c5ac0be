"""Writes `extraction_set.json`: realistic Russian customer messages with the expected order fields.

Hand-written messages (typos, slang, transliterated brands, corrections, questions that
carry no field) plus deterministic combinations of real phrasings of size, colour, city
and product. Every message lists every field expected from it ("" = none), the field
the bot had just asked for (`asked`), as in a live dialogue, and its `source`: "hand"
(written by a person: HAND here and HAND_MORE in extraction_hand_more.py) or
"generated" (template combinations, which reuse the rules' own phrasing and so flatter
them: bench/extraction.py reports the two subsets separately). Run:

    .venv/bin/python bench/data/make_extraction_set.py
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from extraction_hand_more import HAND_LATER, HAND_MORE  # noqa: E402
FIELDS = ("size", "color", "city", "address", "product_type")

# (text, asked, expected fields)
HAND: list[tuple[str, str, dict[str, str]]] = [
    ("Здравствуйте, есть лоферы шанель 38?", "", {"size": "38", "product_type": "shoes"}),
    ("Добрый день! Интересуют кроссы баленсиага, 37 размер, белые", "", {"size": "37", "color": "белый", "product_type": "shoes"}),
    ("скок стоят мюли диор?", "", {"product_type": "shoes"}),
    ("а есть в черном?", "", {"color": "черный"}),
    ("нет, 39", "size", {"size": "39"}),
    ("39", "size", {"size": "39"}),
    ("38,5", "size", {"size": "38.5"}),
    ("38.5 есть?", "", {"size": "38.5"}),
    ("мне на 37", "", {"size": "37"}),
    ("р. 36", "", {"size": "36"}),
    ("37р", "", {"size": "37"}),
    ("размер 40", "", {"size": "40"}),
    ("40й", "size", {"size": "40"}),
    ("у меня 36-й размер ноги", "", {"size": "36"}),
    ("не 38, а 39 пожалуйста", "", {"size": "39"}),
    ("ношу 38", "", {"size": "38"}),
    ("бежевые", "color", {"color": "бежевый"}),
    ("нюд", "color", {"color": "бежевый"}),
    ("чёрную сумочку хочу", "", {"color": "черный", "product_type": "bag"}),
    ("белоснежные кеды есть?", "", {"color": "белый", "product_type": "shoes"}),
    ("не черные, а белые", "", {"color": "белый"}),
    ("в красном цвете", "", {"color": "красный"}),
    ("серые", "color", {"color": "серый"}),
    ("а розовые остались?", "", {"color": "розовый"}),
    ("золотые босоножки джимми чу", "", {"color": "золотой", "product_type": "shoes"}),
    ("коричневый ремень гуччи", "", {"color": "коричневый", "product_type": "accessory"}),
    ("синюю сумку диор", "", {"color": "синий", "product_type": "bag"}),
    ("зелёный клатч боттега", "", {"color": "зеленый", "product_type": "bag"}),
    ("в Астану", "city", {"city": "Астана"}),
    ("Астана", "city", {"city": "Астана"}),
    ("я в Нур-Султане", "", {"city": "Астана"}),
    ("доставка в Алматы", "", {"city": "Алматы"}),
    ("алма-ата", "city", {"city": "Алматы"}),
    ("живу в Алмате", "", {"city": "Алматы"}),
    ("шымкент", "city", {"city": "Шымкент"}),
    ("в Чимкент отправляете?", "", {"city": "Шымкент"}),
    ("Караганда", "city", {"city": "Караганда"}),
    ("из Караганды я", "", {"city": "Караганда"}),
    ("актобе", "city", {"city": "Актобе"}),
    ("Тараз", "city", {"city": "Тараз"}),
    ("в Павлодар можно?", "", {"city": "Павлодар"}),
    ("Усть-Каменогорск", "city", {"city": "Усть-Каменогорск"}),
    ("Өскемен", "city", {"city": "Усть-Каменогорск"}),
    ("Семей", "city", {"city": "Семей"}),
    ("атырау", "city", {"city": "Атырау"}),
    ("в Костанай", "city", {"city": "Костанай"}),
    ("Кызылорда", "city", {"city": "Кызылорда"}),
    ("в Уральск отправите?", "", {"city": "Уральск"}),
    ("Петропавловск", "city", {"city": "Петропавловск"}),
    ("актау", "city", {"city": "Актау"}),
    ("в туркестан", "city", {"city": "Туркестан"}),
    ("Кокшетау", "city", {"city": "Кокшетау"}),
    ("талдыкорган", "city", {"city": "Талдыкорган"}),
    ("Экибастуз", "city", {"city": "Экибастуз"}),
    ("жезказган", "city", {"city": "Жезказган"}),
    ("Конаев (Капшагай)", "city", {"city": "Конаев"}),
    ("в Капчагай", "city", {"city": "Конаев"}),
    ("ул. Абая 10, кв 5", "address", {"address": "ул. Абая 10, кв 5"}),
    ("Абая 150, кв 3", "address", {"address": "Абая 150, кв 3"}),
    ("мкр Самал-2, дом 58, кв 14", "address", {"address": "мкр Самал-2, дом 58, кв 14"}),
    ("Толе би 59", "address", {"address": "Толе би 59"}),
    ("Астана, ул. Кенесары 5 кв 12", "address", {"city": "Астана", "address": "ул. Кенесары 5 кв 12"}),
    ("Адрес: г. Алматы, ул. Жандосова 58, кв 7", "", {"city": "Алматы", "address": "ул. Жандосова 58, кв 7"}),
    ("Караганда, мкр Юго-Восток 12-45", "address", {"city": "Караганда", "address": "мкр Юго-Восток 12-45"}),
    ("пр. Достык 240, офис 12", "address", {"address": "пр. Достык 240, офис 12"}),
    ("Шымкент, улица Байтурсынова 12, 3 подъезд", "", {"city": "Шымкент", "address": "улица Байтурсынова 12, 3 подъезд"}),
    ("сколько стоит доставка?", "", {}),
    ("у вас 45 000?", "", {}),
    ("мой номер +7 701 123 45 67", "", {}),
    ("через 2 дня заберу", "", {}),
    ("а можно 2 пары?", "", {}),
    ("в 18:00 удобно", "", {}),
    ("спасибо большое!", "", {}),
    ("а когда привезут?", "address", {}),
    ("семейный бюджет не резиновый", "", {}),
    ("уральский стиль мне не нравится", "", {}),
    ("дорого как-то", "", {}),
    ("позовите менеджера", "", {}),
    ("оплата не прошла", "", {}),
    ("у лоферов отклеилась подошва", "", {"product_type": "shoes"}),
    ("хочу вернуть туфли", "", {"product_type": "shoes"}),
    ("есть ремни?", "", {"product_type": "accessory"}),
    ("платок гермес", "", {"product_type": "accessory"}),
    ("рюкзак прада черный", "", {"color": "черный", "product_type": "bag"}),
    ("кошелек луи виттон", "", {"product_type": "bag"}),
    ("очки селин", "", {"product_type": "accessory"}),
    ("угги 39 коричневые", "", {"size": "39", "color": "коричневый", "product_type": "shoes"}),
    ("сапоги ботега 40, черные, в Шымкент", "", {"size": "40", "color": "черный", "city": "Шымкент", "product_type": "shoes"}),
    ("Балетки миу миу розовые 36 в Астану", "", {"size": "36", "color": "розовый", "city": "Астана", "product_type": "shoes"}),
    ("туфли ysl 37 красные", "", {"size": "37", "color": "красный", "product_type": "shoes"}),
    ("нью баланс 530 серые 38", "", {"size": "38", "color": "серый", "product_type": ""}),
    ("найки эйр форс 39", "", {"size": "39", "product_type": ""}),
]

PRODUCTS = [
    ("лоферы шанель", "shoes"), ("кроссовки баленсиага", "shoes"), ("кроссы баленсияга трипл", "shoes"),
    ("мюли диор", "shoes"), ("туфли сен лоран", "shoes"), ("босоножки джимми чу", "shoes"),
    ("балетки миу миу", "shoes"), ("сапоги боттега", "shoes"), ("ботильоны прада", "shoes"),
    ("кеды голден гус", "shoes"), ("лоферы гуччи", "shoes"), ("угги", "shoes"), ("лабутены", "shoes"),
    ("сандалии гермес", "shoes"), ("сумку прада", "bag"), ("сумочку шанель", "bag"), ("клатч боттега", "bag"),
    ("сумку диор", "bag"), ("ремень гуччи", "accessory"), ("ремень гермес", "accessory"),
]
SIZES = [("38", "38"), ("37-й", "37"), ("39 размер", "39"), ("36,5", "36.5"), ("размер 40", "40"),
         ("на 35", "35"), ("41й", "41"), ("р. 37", "37"), ("38.5", "38.5"), ("37р", "37")]
COLORS = [("черные", "черный"), ("черную", "черный"), ("бежевые", "бежевый"), ("нюдовые", "бежевый"),
          ("белые", "белый"), ("белую", "белый"), ("красные", "красный"), ("серые", "серый"),
          ("розовые", "розовый"), ("коричневые", "коричневый"), ("в черном цвете", "черный"),
          ("цвет беж", "бежевый"), ("золотые", "золотой"), ("синюю", "синий")]
CITIES = [("в Астану", "Астана"), ("в Алматы", "Алматы"), ("в Шымкент", "Шымкент"), ("в Караганду", "Караганда"),
          ("в Актобе", "Актобе"), ("в Тараз", "Тараз"), ("в Павлодар", "Павлодар"), ("в Атырау", "Атырау"),
          ("в Костанай", "Костанай"), ("в Уральск", "Уральск"), ("в Актау", "Актау"), ("в Семей", "Семей"),
          ("в Усть-Каменогорск", "Усть-Каменогорск"), ("в Кокшетау", "Кокшетау"), ("в Талдыкорган", "Талдыкорган"),
          ("в Нур-Султан", "Астана"), ("в Алма-Ату", "Алматы"), ("в Кызылорду", "Кызылорда"),
          ("в Петропавловск", "Петропавловск"), ("в Туркестан", "Туркестан")]
OPENERS = ["", "Здравствуйте! ", "Добрый день, ", "Привет) ", "Салем! ", "здрасте ", "Добрый вечер. "]
TEMPLATES = [
    "{o}есть {p} {s}?", "{o}{p} {c} {s} есть в наличии?", "{o}хочу {p}, {c}, {s}", "{o}интересуют {p} {s} {c}",
    "{o}{p} {c} есть? доставка {city}", "{o}можно {p} {s} {city}?", "{o}сколько стоят {p} {c}?",
    "{o}{p} {s} размер остался?", "{o}нужны {p} {c} {s}, отправите {city}?", "{o}{p}",
]


def generated(count: int) -> list[tuple[str, str, dict[str, str]]]:
    rng = random.Random(20261123)
    rows: list[tuple[str, str, dict[str, str]]] = []
    seen: set[str] = set()
    while len(rows) < count:
        template = rng.choice(TEMPLATES)
        product, ptype = rng.choice(PRODUCTS)
        size_text, size = rng.choice(SIZES)
        color_text, color = rng.choice(COLORS)
        city_text, city = rng.choice(CITIES)
        text = template.format(o=rng.choice(OPENERS), p=product, s=size_text, c=color_text, city=city_text)
        if text in seen:
            continue
        seen.add(text)
        if ptype != "shoes":
            # bags and belts have no size: drop the size from such messages
            text = text.replace(f" {size_text}", "").replace(f"{size_text} ", "")
        expected = {"product_type": ptype}
        if "{s}" in template and ptype == "shoes":
            expected["size"] = size
        if "{c}" in template:
            expected["color"] = color
        if "{city}" in template:
            expected["city"] = city
        rows.append((" ".join(text.split()), "", expected))
    return rows


def main() -> None:
    hand = HAND + HAND_MORE + HAND_LATER
    texts = [text for text, _, _ in hand]
    duplicates = {t for t in texts if texts.count(t) > 1}
    if duplicates:
        raise SystemExit(f"hand-written messages written twice: {sorted(duplicates)}")
    rows = [(row, "hand") for row in hand] + [(row, "generated") for row in generated(260) if row[0] not in texts]
    items = [{"text": text, "asked": asked, "expected": {f: exp.get(f, "") for f in FIELDS}, "source": source}
             for (text, asked, exp), source in rows]
    target = HERE / "extraction_set.json"
    target.write_text(json.dumps(items, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(items)} messages written to {target}")


if __name__ == "__main__":
    main()
