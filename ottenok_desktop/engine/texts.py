"""Every Russian text the engine shows a customer or a manager, in one place.

Sections: channel placeholders (how non-text WhatsApp messages read in the console and
in the dialogue history), channel notices to customers; other parts of the engine add
their own headed sections below.
"""

from __future__ import annotations

# ---- channel: placeholders for non-text messages ------------------------------------
MEDIA_PLACEHOLDERS: dict[str, str] = {
    "image": "📷 Фото",
    "video": "🎬 Видео",
    "document": "📄 Документ",
    "audio": "🎤 Голосовое сообщение",
    "sticker": "Стикер",
    "location": "📍 Геолокация",
    "contact": "👤 Контакт",
    "contacts": "👥 Контакты",
    "poll": "📊 Опрос",
    "poll_vote": "📊 Ответ на опрос",
    "buttons": "Сообщение с кнопками",
    "button_reply": "Выбрана кнопка",
    "list_reply": "Выбран пункт списка",
    "reaction": "Реакция",
    "group_invite": "Приглашение в группу",
    "unknown": "Сообщение неизвестного типа",
}
UNDECRYPTABLE_PLACEHOLDER = "⚠️ Сообщение не удалось расшифровать (WhatsApp)"
MEDIA_UNAVAILABLE = "файл недоступен"
MESSAGE_DELETED = "Сообщение удалено клиентом"

# ---- channel: notices to customers ----------------------------------------------------
ASK_TO_RESEND = (
    "Извините, ваше сообщение до нас не дошло — WhatsApp не смог его расшифровать. "
    "Пожалуйста, отправьте его ещё раз 🙏"
)
INCOMING_CALL = "📞 Входящий звонок ({status})"
BOT_FALLBACK_REPLY = "Спасибо за сообщение! Менеджер ответит вам в ближайшее время 🙏"

# ---- follow-ups («дожим», issue 6) -------------------------------------------------------
# The standard nudge texts live in the settings (nudge1_text / nudge2_text, editable).
# These are the better-than-the-rule-of-thumb variants and the opt-out acknowledgement.
NUDGE_ASK_FIELD: dict[str, str] = {
    "product": "Хотела уточнить, какая модель вам понравилась? Пришлю фото и проверю наличие 😊",
    "size": "Хотела уточнить, какой размер вам нужен? Сразу проверю наличие и оформлю заказ 😊",
    "color": "Хотела уточнить, какой цвет вам больше нравится? Проверю наличие и оформлю заказ 😊",
    "city": "Хотела уточнить, в какой город доставить заказ? Остался только этот шаг 😊",
    "address": "Подскажите, пожалуйста, адрес доставки — и я сразу оформлю ваш заказ 😊",
}
NUDGE_CONFIRM_ORDER = "Хотела уточнить: всё верно в заказе, оформляем? 😊"
NUDGE_SOLD_OUT_ALTERNATIVE: dict[int, str] = {
    1: "Хотела уточнить: {product} в нужном вам варианте уже нет в наличии, но есть {alternative} — прислать фото?",
    2: (
        "Добрый день! Вчера вы интересовались моделью {product} — в нужном вам варианте её уже нет "
        "в наличии, но есть {alternative}. У нас есть примерка и возврат, вы ничем не рискуете. Прислать фото?"
    ),
}
NUDGE_SOLD_OUT_NO_ALTERNATIVE = (
    "Хотела уточнить: {product} в нужном вам варианте сейчас нет в наличии. Подобрать похожую модель?"
)
NUDGE_ALTERNATIVE_ITEM = "{product} в цвете «{color}», размер {size}"  # an in-stock alternative, as offered
OPT_OUT_ACK = "Поняла, больше не буду вас беспокоить. Если понадобится помощь — просто напишите 🙏"

# ---- dialogue: the sales manager «Алина» (issue 5) --------------------------------------
# Offline templates; the LLM writes its own words from the same facts. Placeholders in
# braces are filled by `engine/dialogue/offline.py`.
GREETING = "Здравствуйте! Меня зовут {persona}, я менеджер магазина «Оттенок» 🌸"
GREETING_ASK_NEED = "Подскажите, какую модель вы ищете? Можно прислать фото или название из рекламы."
ASK_NEED = "Какую модель вы ищете? Подскажу по наличию и цене 🙂"
PRODUCT_IN_STOCK = "{product} есть в наличии ✨ Цена — {price}."
PRODUCT_IN_STOCK_SIZE = "{product}, размер {size}{color_part} — есть в наличии ✨ Цена — {price}."
PRODUCT_SIZES = "Размеры в наличии: {sizes}."
PRODUCT_COLORS = "Цвета: {colors}."
COLOR_PART = ", {color}"
OUT_OF_STOCK = "К сожалению, {what} сейчас нет в наличии 😔"
OUT_OF_STOCK_ALTERNATIVES = "Могу предложить: {alternatives}."
NOT_FOUND = "К сожалению, такой модели у нас сейчас нет 😔"
NOT_FOUND_SIMILAR = "Посмотрите похожие: {similar}."
NOT_FOUND_NO_SIMILAR = "Могу подобрать что-то похожее — подскажите, какой тип обуви или аксессуара вы ищете?"
ALTERNATIVE_ITEM = "{product}{details} — {price}"
ASK_FIELD: dict[str, str] = {
    "product": "Какая модель вас интересует?",
    "size": "Какой размер вам нужен?",
    "color": "Какой цвет вам больше нравится: {colors}?",
    "city": "В какой город доставить?",
    "address": "Напишите, пожалуйста, адрес доставки (улица, дом, квартира).",
}
FIELD_NAMES_RU: dict[str, str] = {
    "product": "модель", "product_type": "тип", "size": "размер", "color": "цвет", "city": "город",
    "address": "адрес", "customer_name": "имя", "price": "цена", "quantity": "количество",
}
ORDER_SUMMARY = (
    "Проверьте, пожалуйста, заказ:\n"
    "• {product}\n"
    "{size_line}{color_line}"
    "• Город: {city}\n"
    "• Адрес: {address}\n"
    "• Цена: {price}\n"
    "Всё верно? Оформляю?"
)
SUMMARY_SIZE_LINE = "• Размер: {size}\n"
SUMMARY_COLOR_LINE = "• Цвет: {color}\n"
ORDER_CONFIRMED = "Заказ оформлен ✅ {product}{details}, {city}. Цена — {price}. Менеджер свяжется с вами для оплаты и доставки. Спасибо, что выбрали «Оттенок»! 🌸"
# the promised price named wherever the order's price is said (issue 16, dialogue/promised.py)
PRICE_BY_PROMOTION = "{price} по акции «{label}» (обычная цена {regular})"
PRICE_FOR_PARTNER = "{price} — цена для вас как партнёра (обычная цена {regular})"
PROMISED_PRICE_NOTE = "Цена — {price}."
PROMISE_LAPSED = "Скидка «{label}», о которой я писала, уже не действует 🙏 Цена заказа — {price} ₸."
ORDER_GONE_AT_CONFIRMATION = "Ой, пока мы оформляли, {what} закончились 😔"
ORDER_CANCELLED = "Хорошо, заказ отменила. Если передумаете — пишите, я на связи 🙂"
ORDER_CORRECTED = "Исправила: {field} — {value}."
WHAT_TO_FIX = "Что нужно исправить? Напишите, пожалуйста, модель, размер, цвет, город или адрес."
THANKS_REPLY = "Пожалуйста! Обращайтесь 🌸"
SIZE_ADVICE = "С вашим {worn} советую {size} размер 🙂"
WHICH_MODEL = "Какая модель вам больше нравится? Подскажу размер и оформлю 🌸"
COMPARE_PRICE = "Цена — {price}."
THINK_REPLY = "Конечно, подумайте 🙏 Если появятся вопросы — пишите, я на связи."
DIDNT_UNDERSTAND = "Извините, не совсем поняла 🙏 Подскажите, пожалуйста, какую модель вы ищете или какой у вас вопрос?"
FAQ_INTRO = "Подскажу:"
PHOTO_LATER = "Фото этой модели пришлю чуть позже — уточню у менеджера 🙏"
PHOTO_ALREADY_SENT = "Фото этой модели я отправила выше 👆"
PRICE_IS_FIXED = "Цены у нас фиксированные, скидку сделать не могу 🙏"
ASK_MANAGER_DETAIL = "Этот момент по модели уточню у менеджера и вернусь с ответом 🙏"
PREORDER_ASK_MANAGER = "Про заказ под вас уточню у менеджера и вернусь с ответом 🙏"
HANDOFF_NOTICE = "Передаю ваш вопрос менеджеру — он ответит вам в ближайшее время 🙏"
HANDOFF_ASK_PERSON = "Конечно! Подключаю менеджера, он скоро ответит вам здесь 🙏"
HANDOFF_COMPLAINT = "Мне очень жаль, что так вышло 😔 Передаю ваше обращение менеджеру, он свяжется с вами в ближайшее время."
HANDOFF_PAYMENT = "Понимаю, неприятная ситуация. Передаю вопрос по оплате менеджеру — он проверит и ответит вам в ближайшее время 🙏"
MANAGER_SOON = "Менеджер скоро ответит вам 🙏"
WARRANTY_ASK_DETAILS = (
    "Очень жаль, что так получилось 😔 Чтобы оформить обращение по гарантии, напишите, пожалуйста:\n"
    "1) что случилось с товаром;\n2) где и когда вы его покупали;\n"
    "3) пришлите фото или видео дефекта и чек, если он сохранился."
)
WARRANTY_REGISTERED = "Спасибо! Обращение по гарантии зарегистрировано, менеджер рассмотрит его и ответит вам в ближайшее время 🙏"
RETURN_POLICY_INTRO = "По возврату подскажу:"
RETURN_POLICY_FALLBACK = "Условия возврата уточнит менеджер."
RETURN_OFFER_CHOICE = "Если товар с дефектом, могу оформить обращение по гарантии, или подключу менеджера. Как вам удобнее?"
RETURN_REGISTERED = "Передала ваш вопрос по возврату менеджеру — он ответит вам в ближайшее время 🙏"
EXCHANGE_REGISTERED = "Передала ваш вопрос по обмену менеджеру — он подскажет по размерам и ответит в ближайшее время 🙏"
LLM_DOWN_HANDOFF = "Извините, у меня небольшая заминка 🙏 Подключаю менеджера, он ответит вам в ближайшее время."

# Handoff reasons shown to managers (console, alerts).
HANDOFF_REASONS: dict[str, str] = {
    "ask_person": "Клиент просит менеджера",
    "complaint": "Жалоба клиента",
    "warranty": "Гарантийное обращение",
    "return": "Возврат",
    "exchange": "Обмен",
    "payment_trouble": "Проблема с оплатой",
    "misunderstood": "Бот дважды не понял клиента",
    "llm_failed": "ИИ дважды не ответил",
    "manager_command": "Команда менеджера",
    "other": "Вопрос клиента",
}
TICKET_KINDS_RU: dict[str, str] = {"warranty": "Гарантия", "return": "Возврат", "other": "Другой вопрос",
                                   "handoff": "Передан менеджеру"}
TICKET_STATUSES_RU: dict[str, str] = {"WAITING": "Ожидает", "ASSIGNED": "В работе", "CLOSED": "Закрыт"}
ORDER_STATES_RU: dict[str, str] = {"draft": "Черновик", "ready": "Готов к подтверждению", "confirmed": "Подтверждён",
                                   "cancelled": "Отменён"}

# Manager WhatsApp commands (/handoff on|off|status <phone>)
CMD_USAGE = "Команды: /handoff on <телефон> — забрать чат у бота; /handoff off <телефон> — вернуть боту; /handoff status <телефон> — состояние."
CMD_NO_CHAT = "Чат с номером {phone} не найден."
CMD_HANDOFF_ON = "Готово: чат {phone} передан менеджеру, бот молчит."
CMD_HANDOFF_OFF = "Готово: чат {phone} возвращён боту."
CMD_STATUS = "Чат {phone}: ведёт {owner}{needs_human}. {order}{ticket}"
CMD_OWNER_BOT = "бот"
CMD_OWNER_MANAGER = "менеджер {name}"
CMD_NEEDS_HUMAN = ", ждёт менеджера ({reason})"
CMD_ORDER = "Заказ: {state}{details}."
CMD_NO_ORDER = "Заказа нет."
CMD_TICKET = " Обращение №{id}: {kind}, {status}."


# ---- Telegram (issue 15): the customer bot, the operators' group, the owner's chat -------
TELEGRAM_START = (
    "Здравствуйте! 👋 Это магазин «Оттенок». Я Алина, помогу:\n"
    "• подобрать обувь, сумку или аксессуар и узнать, есть ли нужный размер и цвет;\n"
    "• прислать фото и цену;\n"
    "• оформить заказ с доставкой;\n"
    "• передать вопрос по гарантии или возврату менеджеру.\n"
    "Просто напишите, что ищете 🙂"
)
TG_OPERATOR_HELLO = (
    "Здравствуйте! Вы оператор магазина. Новые обращения приходят в группу операторов — "
    "нажмите «Взять в работу», и я соединю вас с клиентом здесь."
)
TG_OPERATOR_IDLE = "Сейчас у вас нет открытого диалога. Возьмите обращение в группе операторов."
TG_TAKE_BUTTON = "Взять в работу"
TG_CLOSE_BUTTON = "Завершить диалог"
TG_CARD = "🆕 Обращение №{ticket_id}\nКлиент: {name}\nКанал: {channel}\nТема: {topic}\n\nПоследние сообщения:\n{lines}"
NUDGE_PROMOTION = "Кстати, сейчас действует акция 🌸 {line}"
TG_PARTNER_MARK = " · 🤝 партнёр"  # a partner's ticket (issue 16), after the customer's name
TG_CARD_TAKEN = "\n\n✅ Взял(а) в работу: {manager}"
TG_CARD_CLOSED = "\n\n☑️ Закрыто: {manager}"
TG_TAKEN_ANSWER = "Обращение ваше, напишите клиенту в личном чате с ботом"
TG_ALREADY_TAKEN = "Уже взял(а) {manager}"
TG_NOT_OPERATOR = "Эта кнопка только для операторов"
TG_OPERATOR_CONNECTED = (
    "Вы ведёте обращение №{ticket_id}: {name} ({channel}).\n{lines}\n\n"
    "Всё, что вы напишете сюда, я передам клиенту. Когда закончите — нажмите «Завершить диалог»."
)
TG_FROM_CUSTOMER = "💬 {name}: {text}"
TG_DIALOG_CLOSED = "Диалог по обращению №{ticket_id} завершён, клиент снова с ботом."
TG_ALREADY_CLOSED = "Обращение уже закрыто"
TG_CHANNEL_NAMES = {"whatsapp": "WhatsApp", "telegram": "Telegram"}
TG_NO_MESSAGES = "(сообщений нет)"
TG_MEDIA_NOT_FORWARDED = "{line}\n⚠️ Вложение не удалось переслать — оно сохранено в чате в консоли магазина."
TG_CARD_ATTACHMENT = "📎 К обращению №{ticket_id}: {text}"
TG_CARD_ATTACHMENTS = "\n\n📎 Вложений: {count} (пересланы ниже)"
TG_ALERT_WAITING = "⏰ Обращение №{ticket_id} ({name}) ждёт оператора уже {minutes} мин."
TG_ALERT_ENGINE_DOWN = "⚠️ Бот остановлен: {detail}"
TG_ENGINE_STOPPED = "программа на компьютере магазина закрыта, клиентам никто не отвечает"
TG_ALERT_WHATSAPP = "⚠️ WhatsApp не авторизован ({state}): откройте консоль и привяжите номер заново."
# ---- voice notes, pictures and Kazakh (issue 17) ------------------------------------------
VOICE_ASK_TO_WRITE = (
    "Извините, не получилось прослушать голосовое сообщение 🙏 Напишите, пожалуйста, ваш вопрос текстом — "
    "я сразу отвечу"
)
VOICE_HANDOFF = "Передаю ваше сообщение менеджеру — он прослушает его и ответит вам в ближайшее время 🙏"
VOICE_HANDOFF_REASON = "голосовое сообщение не удалось распознать"
IMAGE_ASK_CONFIRM = "Это {product}? Подскажите, пожалуйста, — сразу проверю наличие 😊"
IMAGE_ASK_MODEL = (
    "Спасибо за фото! Не могу точно определить модель 🙏 Подскажите, пожалуйста, название или пришлите "
    "скрин поста из нашего Instagram — проверю наличие"
)
IMAGE_HANDOFF = "Передаю фото менеджеру — он подскажет по этой модели в ближайшее время 🙏"
IMAGE_HANDOFF_REASON = "фото товара не удалось распознать"
IMAGE_MATCH_NOTE = "🔎 Похоже на: {product}"
# Offline the bot answers in Russian; a Kazakh-writing customer also gets this short line.
KAZAKH_COURTESY = "Қош келдіңіз! Кешіріңіз, қазір орысша жауап беремін — қажет болса, қазақша сөйлейтін менеджер жауап береді 🌸"
# ---- promotions and partners (issue 16) -------------------------------------------------------
PROMOTION_STATUS_RU = {"active": "Активна", "waiting": "Ожидает", "finished": "Закончена"}
PROMOTION_LINE = "Акция: {title} (до {end}), цена по акции — {price} ₸"
PROMOTIONS_HEAD = "Сейчас у нас действуют акции:"
PROMOTION_ITEM = "• {title} — {discount}, до {end}"
PROMOTIONS_NONE = "Сейчас акций нет 🙏 Подсказать по наличию или подобрать модель?"
# the announcement's text as the console and the CLI prefill it (the manager may edit it)
ANNOUNCEMENT_DRAFT = "{title}! {description}\n{offer} — с {start} по {end}.\nНапишите нам, подберём модель и размер 🌸"
ANNOUNCEMENT_OFFER_PERCENT = "Скидка {percent}"
ANNOUNCEMENT_OFFER_FIXED = "Цена по акции {price} ₸"
PROMO_CONSENT_OK = "Записала 😊 Буду присылать вам новости об акциях. Если передумаете — просто напишите «стоп»."
PROMO_CONSENT_REFUSED = (
    "Вы раньше просили не присылать вам сообщения, поэтому рассылку я не включаю 🙏 "
    "Об акциях всегда можно спросить здесь."
)
PARTNER_HELLO = "{name}, рада вас видеть 😊 Для вас как для партнёра — скидка {percent}% на всё в наличии."
PARTNER_PRICE = "Цена для вас как партнёра — {price} ₸"
PARTNER_CODE_WRONG = "Не нашла такой код партнёра 🙏 Проверьте, пожалуйста, и напишите ещё раз."
PARTNER_CODE_LOCKED = "Код партнёра не подошёл 🙏 Проверить его может менеджер — он подключится и поможет."
