"""What the customer wants, from words (pure rules).

Intents drive the decisions: handoff triggers (asks for a person, complaint, warranty,
return, exchange, payment trouble), yes/no to a confirmation, cancel, greetings, and
the kinds of question the knowledge base answers (delivery, payment, shop address,
returns). Rules look at stems so "возвратить", "вернуть", "возврат" all match.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ottenok_desktop.engine.lexicon.text import normalize

GREETING = "greeting"
THANKS = "thanks"
YES = "yes"
NO = "no"
CANCEL = "cancel"
ASK_PERSON = "ask_person"
COMPLAINT = "complaint"
WARRANTY = "warranty"
RETURN = "return"
EXCHANGE = "exchange"
PAYMENT_TROUBLE = "payment_trouble"
ASK_PRICE = "ask_price"
ASK_DELIVERY = "ask_delivery"
ASK_PAYMENT = "ask_payment"
ASK_SHOP = "ask_shop"  # where the shop is, opening hours
ASK_PHOTO = "ask_photo"
ASK_SIZES = "ask_sizes"
ASK_COLORS = "ask_colors"
ASK_AVAILABILITY = "ask_availability"
WANT_ORDER = "want_order"
QUESTION = "question"

FAQ_INTENTS = (ASK_DELIVERY, ASK_PAYMENT, ASK_SHOP)

_B = r"(?<![а-яa-z0-9])"
_E = r"(?![а-яa-z0-9])"

INTENT_PATTERNS: dict[str, str] = {
    GREETING: rf"{_B}(здравств\w*|здраст\w*|привет\w*|добрый\s+(день|вечер)|доброе\s+утро|доброго\s+\w+|салем\w*|"
              rf"сәлем\w*|салам\w*|hello|hi|хай|ассаламу\w*|добрый){_E}",
    THANKS: rf"{_B}(спасибо|спс|благодар\w*|рахмет\w*|пасиб\w*){_E}",
    YES: r"^\s*(да|дa|ага|угу|конечно|верно|все\s+верно|всё\s+верно|подтверждаю|подтверждаем|согласна|согласен|"
         r"оформляйте|оформляй|оформите|давайте|давай|ок|окей|ok|okay|хорошо|правильно|беру|да,?\s*\w+|"
         r"да[,!. ]+.*верно.*|все\s+так|всё\s+так|именно|точно|go)\s*[!.)]*\s*$",
    NO: r"^\s*(нет|не|неа|не\s+надо|не\s+нужно|нет,?\s+спасибо|не\s+верно|неверно|неправильно)\b",
    CANCEL: rf"{_B}(отмен\w*|передумал\w*|не\s+буду\s+брать|не\s+надо\s+заказ\w*|не\s+нужен\s+заказ|"
            rf"отказ\w*\s+от\s+заказ\w*){_E}",
    ASK_PERSON: rf"{_B}(менеджер\w*|оператор\w*|живо\w*\s+человек\w*|человек\w*\s+(позов|дай|нужен)\w*|"
                rf"позов\w*\s+\w*\s*(человек|менеджер|админ|консультант)\w*|администратор\w*|админ\w*|"
                rf"консультант\w*|соедин\w+|хозяйк\w*|руководител\w*|с\s+человеком|ты\s+бот|вы\s+бот|это\s+бот|"
                rf"с\s+живым){_E}",
    COMPLAINT: rf"{_B}(жалоб\w*|пожалуюсь|пожаловаться|ужас\w*|безобраз\w*|обман\w*|кошмар\w*|отвратит\w*|"
               rf"хамств\w*|нахам\w*|разочарован\w*|верните\s+деньги|возмущ\w*|позор\w*|мошенни\w*|"
               rf"недовол\w*){_E}",
    WARRANTY: rf"{_B}(гарант\w*|брак\w*|бракован\w*|сломал\w*|порвал\w*|порвались|отклеил\w*|отклеилась|"
              rf"отвалил\w*|лопнул\w*|развалил\w*|треснул\w*|облез\w*|стерл\w*|протек\w*|промока\w*|"
              rf"расклеил\w*|дефект\w*|отошла\s+подошва|подошва\s+отошла|оторвал\w*|оторван\w*|выпал\w*|"
              rf"сломан\w*|порван\w*|облупил\w*|потрескал\w*){_E}",
    RETURN: rf"{_B}(возврат\w*|вернуть|верну|вернуть\s+деньги|сдать\s+обратно|возвращ\w*|вернём|вернем){_E}",
    # "маломерят?" asks about sizing before buying; it is not an exchange
    EXCHANGE: rf"{_B}(обмен\w*|поменять|обменять|замен\w+\s+на|не\s+подош(ел|ли|ла)\s+размер){_E}",
    PAYMENT_TROUBLE: rf"{_B}(не\s+прош(ла|ел|ел)\s+(оплата|платеж|перевод)|оплата\s+не\s+прош\w*|"
                     rf"платеж\s+не\s+прош\w*|не\s+могу\s+оплатить|списал\w*\s+дважды|дважды\s+списал\w*|"
                     rf"деньги\s+списал\w*|двойн\w*\s+списан\w*|не\s+получается\s+оплатить|ошибка\s+оплат\w*|"
                     rf"перевод\s+не\s+(дош|прош)\w*|каспи\s+не\s+проход\w*|не\s+проходит\s+оплата){_E}",
    ASK_PRICE: rf"{_B}(цен\w*|сколько\s+стои\w*|скок|почем\w*|стоимост\w*|прайс\w*|сколько\s+будет|по\s+чем|"
               rf"стоят|стоит){_E}",
    ASK_DELIVERY: rf"{_B}(доставк\w*|доставля\w*|доставит\w*|достав\w*|отправк\w*|отправля\w*|отправит\w*|"
                  rf"курьер\w*|почт\w*|казпочт\w*|сдэк\w*|cdek|яндекс\s+доставк\w*|за\s+сколько\s+дней|"
                  rf"когда\s+привез\w*|привезет\w*|привезёт\w*|самовывоз\w*){_E}",
    ASK_PAYMENT: rf"{_B}(оплат\w*|каспи|kaspi|рассрочк\w*|кредит\w*|наличн\w*|картой|перевод\w*|"
                 rf"предоплат\w*|ред\s*плат\w*|в\s+рассрочку){_E}",
    ASK_SHOP: rf"{_B}(где\s+(вы\s+)?находит\w*|адрес\s+магазин\w*|ваш\s+адрес|где\s+магазин|график\w*|"
              rf"режим\s+работ\w*|до\s+скольки|во\s+сколько\s+(открыва|закрыва)\w*|примерк\w*|"
              rf"можно\s+(при)?мерить|прийти\s+посмотреть|шоурум\w*|бутик\w*\s+где){_E}",
    ASK_PHOTO: rf"{_B}(фото\w*|фотк\w*|фотографи\w*|покажите|покажи|скиньте|скинь|видео\w*|как\s+выгляд\w*|"
               rf"живые\s+фото){_E}",
    ASK_SIZES: rf"{_B}(какие\s+размер\w*|размерн\w*\s+ряд\w*|размеры\s+есть|есть\s+размеры|размерная\s+сетка|"
               rf"какой\s+размер){_E}",
    ASK_COLORS: rf"{_B}(какие\s+цвет\w*|цвета\s+есть|в\s+каких\s+цвет\w*|есть\s+другие\s+цвет\w*|"
                rf"другой\s+цвет|расцветк\w*){_E}",
    ASK_AVAILABILITY: rf"{_B}(есть\s+в\s+наличии|в\s+наличии|наличи\w*|есть\s+ли|имеется|имеются|остал\w*|"
                      rf"есть){_E}",
    WANT_ORDER: rf"{_B}(хочу\s+заказ\w*|хочу\s+оформ\w*|оформ\w*\s+заказ\w*|заказать|закажу|беру|возьму|"
                rf"хочу\s+купить|хочу\s+взять|как\s+заказать|оформите|оформляйте|хочу\s+эт\w+){_E}",
}


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, re.compile(pattern)) for name, pattern in INTENT_PATTERNS.items())


def detect_intents(text: str) -> frozenset[str]:
    """Every intent the text shows; a question mark adds `question`."""
    norm = normalize(text)
    if not norm:
        return frozenset()
    found = {name for name, regex in _compiled() if regex.search(norm)}
    if "?" in norm or re.search(rf"{_B}(как|где|когда|сколько|какие|какой|можно|есть\s+ли|подскажите){_E}", norm):
        found.add(QUESTION)
    # "нет, 39" is a correction, not a refusal; "не подошел размер" is an exchange, not "no".
    if NO in found and (EXCHANGE in found or re.search(r"\d", norm)):
        found.discard(NO)
    if YES in found and NO in found:
        found.discard(YES)
    # "оплата не прошла" is trouble, not a question about how to pay
    if PAYMENT_TROUBLE in found:
        found.discard(ASK_PAYMENT)
    return frozenset(found)

