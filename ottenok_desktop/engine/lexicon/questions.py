"""Split a customer's message into its questions, each with a topic.

«а 38 бежевые есть? сколько? доставка в Караганду?» is three questions: stock, price,
delivery. The turn reader uses the list so that every question gets an answer before the
next order field is asked; the knowledge search uses the topic to pick the document section.

`split_questions(text)` → `list[Question]` in the order written; a part of the message that
neither asks (no «?») nor names a topic («Здравствуйте», «я из Караганды») is not a question.
`detect_topics(text)` → every topic of one piece of text, most specific first.
`primary_topic(text)` → the first of them, or `Topic.OTHER`.

Topics beyond the shop's main list (warranty, care, reserve, try-on, gift, contacts) exist
because the shop's documents have a section for each; a caller that does not care can
treat them as OTHER. Priority when several cues meet in one question (most specific
first): «под заказ сколько бы стоили» is PREORDER, not PRICE; «доставка сколько стоит» is
DELIVERY; «наличными курьеру можно?» is PAYMENT (the courier is only where the cash goes).

Pure: regular expressions over normalised text and the lexicon's size/colour/city tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .cities import detect_cities
from .colors import detect_colors
from .sizes import detect_sizes
from .text import normalize


class Topic(StrEnum):
    STOCK = "stock"  # a size / colour in stock («38 бежевые есть?»)
    PRICE = "price"
    AVAILABILITY = "availability"  # the model at all, or when it comes («есть в наличии?», «когда будут?»)
    PHOTO = "photo"
    DELIVERY = "delivery"
    PAYMENT = "payment"
    RETURNS = "returns"  # return and exchange
    ADDRESS_HOURS = "address_hours"
    ORIGINALITY = "originality"
    BOX = "box"  # box, dust bag, what comes with it
    SIZING = "sizing"  # fit advice: runs small / large, which size to take, size chart
    MATERIAL = "material"
    HEEL = "heel"  # heel height, platform, sole
    PREORDER = "preorder"
    DISCOUNT = "discount"  # discounts, promotions, haggling
    WARRANTY = "warranty"
    CARE = "care"
    RESERVE = "reserve"
    TRY_ON = "try_on"
    GIFT = "gift"
    CONTACTS = "contacts"
    OTHER = "other"


_B = r"(?<![\w-])"
_E = r"(?![\w-])"
# Most specific first: the first topic found is the question's primary topic.
_CUES: tuple[tuple[Topic, str], ...] = (
    (Topic.PREORDER, rf"под\s*заказ|предзаказ|{_B}заказать\s+(?:из|с)\s|привез\w*\s+под|можете\s+(?:за)?заказать|"
                     rf"(?:если\s+нет|нету).{{0,30}}(?:заказ|привез)|заказ\w*\s+(?:из|с)\s+(?:европ|дуба|итали)"),
    (Topic.DISCOUNT, rf"скидк\w*|скидоч\w*|скидос\w*|{_B}дешевл\w*|подешевл\w*|{_B}торг\w*|уступ\w*|{_B}акци\w*|промокод\w*|"
                     rf"{_B}сбав\w*|дисконт\w*|жеңілдік\w*|женилдик\w*|арзан\w*|{_B}дорого{_E}"),
    (Topic.ORIGINALITY, rf"оригинал\w*|оригенал\w*|реплик\w*|{_B}копи[яиюй]{_E}|{_B}паль{_E}|подделк\w*|люкс\s*качеств\w*|"
                        rf"фирменн\w*\s+или|подлинн\w*|түпнұсқа\w*|тупнуска\w*|legit|ле[гж]ит|откуда\s+(?:товар|везет|везете|везёте|привоз)|"
                        rf"чек\s+из\s+бутик\w*|{_B}original\w*|{_B}fake{_E}|фейк\w*|{_B}ориг{_E}"),
    (Topic.RETURNS, rf"возвра\w*|{_B}верн(?:у|уть|ете|ёте|ем|ут|ите)\w*|{_B}обмен\w*|{_B}поменя\w*|қайтар\w*|кайтар\w*|"
                    rf"ауыстыр\w*|натира\w*|заберет\s+стар\w*|заберёт\s+стар\w*|не\s+подош\w*|не\s+подойд\w*|пересылк\w*\s+обратно"),
    (Topic.WARRANTY, rf"гаранти\w*|отклеил\w*|порвал\w*|сломал\w*|{_B}брак\w*|развалил\w*|лопнул\w*|отвалил\w*|{_B}ремонт\w*"),
    (Topic.BOX, rf"коробк\w*|коробоч\w*|пыльник\w*|комплект\w*|мешоч\w*|қорап\w*|корап\w*|қорабы|корабы|набойк\w*|"
                rf"подарочн\w*\s+пакет\w*|{_B}пакет\w*"),
    (Topic.RESERVE, rf"отлож\w*|забронир\w*|{_B}бронь\w*|{_B}брони{_E}|придерж\w*"),
    (Topic.TRY_ON, rf"примерит\w*|примерк\w*|примеря\w*|примерю|померит\w*|{_B}помер\w*"),
    (Topic.DELIVERY, rf"достав\w*|{_B}отправ\w*|{_B}отправит\w*|{_B}курьер\w*|сдэк\w*|cdek|казпочт\w*|{_B}почт\w*|{_B}трек\w*|"
                     rf"самовывоз\w*|{_B}привез\w*|{_B}привоз\w*|{_B}довез\w*|жеткіз\w*|жеткиз\w*|жібер\w*|жибер\w*|индрайв\w*|"
                     rf"в\s+регион\w*|за\s+сколько\s+дней|сколько\s+(?:дней\s+)?ид[её]т"),
    (Topic.PAYMENT, rf"оплат\w*|{_B}плат(?:ить|ите|ишь|им|у){_E}|заплат\w*|каспи\w*|kaspi|{_B}наличн\w*|{_B}наличк\w*|{_B}налом|{_B}нал{_E}|"
                    rf"карт(?:ой|очкой|у|а){_E}|рассроч\w*|{_B}кредит\w*|частями|0-0-\d+|{_B}qr{_E}|халык\w*|halyk|{_B}виза{_E}|"
                    rf"visa|мастеркард\w*|mastercard|төле\w*|толе(?:уге|ймин|сем)\w*|предоплат\w*|наложк\w*|наложенн\w*|заранее|всю\s+сумму|полную\s+сумму|{_B}аванс\w*"),
    (Topic.ADDRESS_HOURS, rf"адрес\w*|где\s+(?:вы|ваш|находит|магазин|бутик)|находитесь|на\s+работе|{_B}бутик\w*|глобус\w*|добрат\w*|"
                          rf"доехать|парковк\w*|до\s+скольки|во\s+сколько|работаете|{_B}открыт\w*|открывает\w*|закрывает\w*|"
                          rf"выходн\w*|режим\w*|{_B}обед\w*|мекенжай\w*|орналас\w*|қайдасыз|кайдасыз|жұмыс\s+уақыт\w*"),
    (Topic.CONTACTS, r"инстаграм\w*|инста\w*|instagram|номер\s+(?:телефона\s+)?магазин\w*|телефон\s+магазин\w*|контакт\w*"),
    (Topic.PHOTO, rf"{_B}фот\w*|{_B}фотк\w*|видео\w*|{_B}видос\w*|сурет\w*|на\s+ноге|живы[ех]\s+фот\w*|скиньте|пришлите"),
    (Topic.CARE, rf"ухаж\w*|{_B}уход\w*|чистит\w*|почистит\w*|{_B}чем\s+(?:мыть|чистить)|стират\w*"),
    (Topic.HEEL, r"каблук\w*|каблуч\w*|высот\w*|платформ\w*|танкетк\w*|на\s+плоск\w*|плоск\w*\s+подошв\w*|"
                 r"рост\w*\s+добав\w*|добавля\w*\s+рост\w*|сколько\s+роста|өкше\w*"),
    (Topic.MATERIAL, rf"из\s+чего|материал\w*|{_B}кож[аиуе]{_E}|кожан\w*|натуральн\w*|замш\w*|текстил\w*|атлас\w*|нейлон\w*|"
                     rf"{_B}ш[её]лк\w*|подкладк\w*|{_B}эко\s*кож\w*|сделаны|{_B}тері\w*"),
    (Topic.SIZING, rf"по\s+размеру|маломер\w*|большемер\w*|в\s+размер{_E}|размерн\w*\s+сетк\w*|{_B}сетк\w*\s+размер\w*|"
                   rf"какой\s+(?:размер\s+)?брать|какой\s+размер\s+(?:мне|взять)|длин\w*\s+стоп\w*|нога\s+\d+[.,]?\d*\s*см|"
                   rf"широк\w*\s+стоп\w*|{_B}узк\w*|полнот\w*|полразмера|как\s+сидят|свой\s+размер|таблиц\w*\s+размер\w*|"
                   rf"размер\w*\s+таблиц\w*|укорот\w*|длин\w*\s+ремн\w*|ремень\s+длинн\w*|өлшем\w*\s+келмес\w*"),
    (Topic.GIFT, r"подар\w*|сертификат\w*"),
    (Topic.PRICE, rf"сколько\s+сто\w*|{_B}цен[аеуы]\w*|стоимост\w*|почем\w*|{_B}сколько{_E}|қанша|канша|бағас\w*|багас\w*|прайс\w*|{_B}price"),
    (Topic.AVAILABILITY, rf"в\s+наличи\w*|{_B}наличи\w*|есть\s+ли|{_B}есть{_E}|{_B}бар\s+ма|{_B}бар\s+ма\?|когда\s+(?:будут|будет|поступ|привез|появ)|"
                         rf"поступлен\w*|поступят|закончил\w*|остал\w*"),
)
_COMPILED: tuple[tuple[Topic, re.Pattern[str]], ...] = tuple((topic, re.compile(cue)) for topic, cue in _CUES)
_SPLIT_RE = re.compile(r"(?<=[?!])\s*|(?:(?<!\d)\.|\.(?!\d)|[\n;])+\s*|\s*,\s*(?=(?:а|и|и\s+ещ[её]|ещ[её]|также)\s)", re.UNICODE)
_CITY_DELIVERY_RE = re.compile(r"(?<![\w-])(?:в|во|до|на)\s+\w+")


@dataclass(frozen=True)
class Question:
    text: str  # the piece of the customer's message, as written
    topic: Topic  # the primary topic
    topics: tuple[Topic, ...]  # every topic found, primary first


def detect_topics(text: str) -> list[Topic]:
    """Every topic of `text`, most specific first (see the module docstring)."""
    norm = normalize(text or "")
    found = [topic for topic, pattern in _COMPILED if pattern.search(norm)]
    if Topic.DELIVERY not in found and detect_cities(text) and _CITY_DELIVERY_RE.search(norm) and found[:1] != [Topic.ADDRESS_HOURS]:
        found.insert(_position(found, Topic.DELIVERY), Topic.DELIVERY)  # «а в Караганду?» asks about delivery
    if Topic.PAYMENT in found and Topic.DELIVERY in found and _courier_is_payment(norm):
        found.remove(Topic.DELIVERY)
        found.insert(found.index(Topic.PAYMENT) + 1, Topic.DELIVERY)
    if Topic.PAYMENT in found and Topic.TRY_ON in found and found.index(Topic.TRY_ON) < found.index(Topic.PAYMENT) \
            and _PAY_VERB.search(norm):
        found.remove(Topic.PAYMENT)
        found.insert(found.index(Topic.TRY_ON), Topic.PAYMENT)  # «сразу платить или после примерки?» asks about paying
    if Topic.AVAILABILITY in found and (detect_sizes(text) or detect_colors(text)):
        found[found.index(Topic.AVAILABILITY)] = Topic.STOCK
    elif detect_sizes(text) and not found:
        found.append(Topic.STOCK)  # «38?»
    return found


def _position(found: list[Topic], topic: Topic) -> int:
    order = [t for t, _ in _CUES]
    rank = order.index(topic)
    return next((i for i, t in enumerate(found) if order.index(t) > rank), len(found))


_STRONG_DELIVERY = re.compile(r"достав\w*|отправ\w*|сдэк|казпочт|почт\w*|трек|самовывоз|жеткіз|жібер|привез\w*")
_DELIVERY_AS_MOMENT = re.compile(r"(?:при|после|во время)\s+(?:доставк\w*|получени\w*)")
_PAY_VERB = re.compile(r"оплат\w*|{_B}плат(?:ить|ите|им)|наличн\w*|наличк\w*|{_B}налом|картой|каспи\w*".replace("{_B}", _B))


def _courier_is_payment(norm: str) -> bool:
    """«картой курьеру можно?», «оплатить наличкой при доставке»: delivery only says where or when the money goes."""
    if not _STRONG_DELIVERY.search(norm):
        return True
    return bool(_PAY_VERB.search(norm) and _DELIVERY_AS_MOMENT.search(norm) and len(_STRONG_DELIVERY.findall(norm)) == 1)


def primary_topic(text: str) -> Topic:
    topics = detect_topics(text)
    return topics[0] if topics else Topic.OTHER


def split_questions(text: str) -> list[Question]:
    """The questions of a message, in the order written (see the module docstring)."""
    questions: list[Question] = []
    pieces = [p.strip(" ,") for p in _SPLIT_RE.split(text or "") if p and p.strip(" ,")]
    for piece in pieces:
        topics = detect_topics(piece)
        asks = piece.rstrip().endswith("?")
        if not topics and not asks:
            continue
        if not topics and questions and len(piece) <= 3:
            continue  # a lone «??» after a question
        primary = topics[0] if topics else Topic.OTHER
        questions.append(Question(piece, primary, tuple(topics) or (Topic.OTHER,)))
    return questions
