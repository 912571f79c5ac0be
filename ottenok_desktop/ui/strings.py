"""Every Russian text the console shows, in one place."""

from __future__ import annotations

APP_TITLE = "Оттенок — консоль менеджера"
DEMO_BADGE = "Демо"
DEMO_TITLE_SUFFIX = " — ДЕМО-РЕЖИМ"
DEMO_BANNER = "Демо-режим: WhatsApp не подключён, сообщения идут через встроенную песочницу. Напишите как клиент в окне «Клиент (демо)»."

# ---- tabs / navigation --------------------------------------------------------------
TAB_CHATS = "Диалоги"
TAB_INVENTORY = "Инвентарь"
TAB_KNOWLEDGE = "Знания"
TAB_FOLLOWUPS = "Дожимы"
TAB_TICKETS = "Тикеты"
ACTION_SETTINGS = "Настройки"
ACTION_DEMO_CLIENT = "Клиент (демо)"

# ---- conversation list ----------------------------------------------------------------
FILTER_ALL = "Все"
FILTER_BOT = "Бот"
FILTER_NEEDS_HUMAN = "Нужен менеджер"
FILTER_MINE = "Мои"
FILTER_CLOSED = "Закрытые"
FILTER_WHATSAPP = "WhatsApp"
FILTER_TELEGRAM = "Telegram"
CHANNEL_BADGES = {"whatsapp": "WA", "telegram": "TG"}
CHANNEL_NAMES = {"whatsapp": "WhatsApp", "telegram": "Telegram"}
# the same customer on the other channel (ui/link_bar.py, issue 15)
LINK_OFFER = "Этот клиент есть и в {channel}: {who} — связать чаты?"
LINK_BUTTON = "Связать чаты"
LINKED_WITH = "Связан с {channel}: {who}"
LINK_OPEN = "Открыть"
UNLINK_BUTTON = "Отвязать"
LINK_DISMISS = "Не связывать"
LINK_DISMISS_TIP = ("Больше не предлагать связать эти два чата — ни здесь, ни на других компьютерах магазина. "
                    "Связать их позже можно вручную: в карточке клиента справа.")
LINK_MANUAL = "Есть и в {channel}: {who} (предложение связать скрыто)"
LINK_MANUAL_TIP = "Это тот же человек? Тогда свяжите чаты: согласие на акции, имя, телефон и код партнёра станут общими."
SEARCH_PLACEHOLDER = "Поиск: имя, телефон, текст…"
OWNER_MANAGER = "менеджер"
BADGE_TICKET = "тикет"
BADGE_ORDER = "заказ"
BADGE_PARTNER = "партнёр"  # a partner recognised by phone or code (issue 16)
BADGE_KAZAKH = "қазақша"  # the customer writes Kazakh: a Kazakh-speaking manager can take the chat
VOICE_PLAY = "▶ Прослушать"
BADGE_NEEDS_HUMAN = "нужен менеджер"


def waiting_for(seconds: float) -> str:
    """«ждёт 5 мин» — how long the customer has been waiting."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "ждёт <1 мин"
    if minutes < 60:
        return f"ждёт {minutes} мин"
    hours = minutes // 60
    if hours < 24:
        return f"ждёт {hours} ч {minutes % 60} мин"
    return f"ждёт {hours // 24} д"


# ---- chat view --------------------------------------------------------------------------
SENDER_CUSTOMER = "Клиент"
SENDER_BOT = "Бот"
SENDER_BOT_PERSONA = "{name} · бот"
SENDER_MANAGER_APP = "Менеджер"
SENDER_MANAGER_PHONE = "Телефон магазина"
SENDER_MANAGER_TG = "Оператор в Telegram"
SENDER_SYSTEM = "Система"
SENDER_LABELS = {
    "customer": SENDER_CUSTOMER,
    "bot": SENDER_BOT,
    "manager_app": SENDER_MANAGER_APP,
    "manager_phone": SENDER_MANAGER_PHONE,
    "manager_tg": SENDER_MANAGER_TG,
    "system": SENDER_SYSTEM,
}
MEDIA_LABELS = {
    "image": "📷 Фото",
    "video": "🎬 Видео",
    "audio": "🎤 Голосовое сообщение",
    "document": "📄 Документ",
    "sticker": "Стикер",
    "location": "📍 Геолокация",
    "contact": "👤 Контакт",
    "poll": "📊 Опрос",
}
MESSAGE_DELETED = "Сообщение удалено"
MESSAGE_EDITED = "изменено"
NO_CHAT_SELECTED = "Выберите диалог слева"
OWNER_BANNER_BOT = "Отвечает бот"
OWNER_BANNER_MANAGER = "Диалог ведёт менеджер: {name}"
OWNER_BANNER_NEEDS_HUMAN = "Клиенту нужен менеджер: {reason}"
TAKE_OVER = "Взять диалог"
RETURN_TO_BOT = "Вернуть боту"
TAKE_OVER_TIP = "Бот замолчит в этом диалоге, неотправленный ответ бота будет отменён (Ctrl+T)"
RETURN_TO_BOT_TIP = "Бот продолжит с текущего шага заказа (Ctrl+R)"
COMPOSER_PLACEHOLDER = "Сообщение клиенту… (Ctrl+Enter — отправить)"
SEND = "Отправить"
ATTACH = "Фото…"
ATTACH_TITLE = "Выберите фото для отправки"
ATTACHED = "Вложение: {name}"
QUICK_REPLIES = "Быстрые ответы"
QUICK_REPLY_EDIT = "Изменить быстрые ответы…"
BOT_DRAFT_TITLE = "Черновик бота (не отправлен)"
BOT_DRAFT_USE = "В поле ввода"
BOT_DRAFT_HIDE = "Скрыть"
SEND_FAILED = "Не удалось отправить: {error}"

# ---- order and customer cards -------------------------------------------------------------
ORDER_TITLE = "Заказ"
ORDER_NONE = "Заказа пока нет"
ORDER_FIELDS = {
    "product": "Товар",
    "size": "Размер",
    "color": "Цвет",
    "city": "Город",
    "address": "Адрес",
    "customer_name": "Имя",
    "quantity": "Кол-во",
    "price": "Цена, ₸",
}
ORDER_STATES = {"draft": "черновик", "ready": "готов к подтверждению", "confirmed": "подтверждён", "cancelled": "отменён"}
ORDER_DISCOUNT = {"promotion": "по акции «{label}», обычная цена {regular} ₸",
                  "partner": "цена партнёра ({label}), обычная цена {regular} ₸"}
ORDER_SAVE = "Сохранить"
ORDER_CONFIRM = "Подтвердить заказ"
ORDER_CANCEL = "Отменить заказ"
ORDER_CANCEL_ASK = "Отменить заказ №{id}?"
ORDER_SAVED = "Сохранено"
ORDER_BAD_QUANTITY = "Количество — целое число от 1"
ORDER_BAD_PRICE = "Цена — число, например 45900"
STOCK_TITLE = "Наличие"
STOCK_NONE = "Нет данных о наличии"
STOCK_ASKED = "Запрошено: {what}"
STOCK_IN = "в наличии: {qty} шт."
STOCK_OUT = "нет в наличии"
STOCK_ALTERNATIVES = "Есть в наличии:"
STOCK_SEND_ALT = "Отправить"
STOCK_SEND_ALT_TIP = "Отправить клиенту фото и цену"
STOCK_ALT_CAPTION = "{product}, {color}, размер {size} — {price} ₸"
CUSTOMER_TITLE = "Клиент"
CUSTOMER_LINES = "Телефон: +{phone}\nПервое обращение: {first}\nСообщений: {messages}\nЗаказов: {orders} (подтверждено {confirmed})\nТикетов: {tickets}"
CUSTOMER_PROMO = {"subscribed": "Акции: подписан(а) {at}", "opted_out": "Акции: отказ {at}"}  # issue 16
CUSTOMER_PROMO_SOURCES = {"customer": "сам(а) написал(а)"}

# ---- tickets -------------------------------------------------------------------------------
TICKET_COLUMNS = ("№", "Клиент", "Тип", "Статус", "Менеджер", "Создан", "Суть")
TICKET_KINDS = {"warranty": "гарантия", "return": "возврат", "other": "другое", "handoff": "передан менеджеру"}
TICKET_STATUS = {"WAITING": "ждёт", "ASSIGNED": "в работе", "CLOSED": "закрыт"}
TICKET_TAKE = "Взять в работу"
TICKET_CLOSE = "Завершить диалог"
TICKET_OPEN_CHAT = "Открыть чат"
TICKET_TAKEN_BY_OTHER = "Тикет уже взял другой менеджер."
TICKET_TAKEN_BY = "Тикет уже взял(а) {name}."
TICKET_TAKEN = "Тикет №{id} ваш. Клиент на связи."
TICKET_CLOSED = "Тикет №{id} закрыт, диалог вернулся боту."
TICKETS_EMPTY = "Очередь пуста"

# ---- alerts -----------------------------------------------------------------------------------
ALERT_TITLE = "Нужен менеджер"
ALERT_SUMMARY = "Ждут менеджера: {count}"
TRAY_TOOLTIP = "Оттенок — ждут менеджера: {count}"
TRAY_SHOW = "Показать окно"

# ---- inventory ---------------------------------------------------------------------------------
INVENTORY_DROP_HINT = "Перетащите сюда новый файл остатков (.xlsx или .csv) — бот начнёт использовать его сразу"
INVENTORY_LOAD = "Загрузить файл…"
INVENTORY_FILTER = "Фильтр: модель, бренд, цвет, размер…"
INVENTORY_ONLY_LOW = "Только мало / нет"
INVENTORY_SUMMARY = "Позиций: {rows}, моделей: {products}. Файл: {path}"
INVENTORY_EMPTY = "Остатки не загружены"
INVENTORY_ACCEPTED = "Файл принят: {rows} строк, {products} моделей за {seconds:.1f} с."
INVENTORY_REJECTED_TITLE = "Файл остатков не принят"
INVENTORY_REJECTED = "В файле «{name}» есть ошибки. Бот продолжает работать со старыми остатками."
INVENTORY_ERROR_COLUMNS = ("Строка", "Колонка", "Значение", "Ошибка")
INVENTORY_LOADING = "Проверяю файл «{name}»…"
INVENTORY_WRONG_TYPE = "Остатки принимаются в форматах .xlsx и .csv"
INVENTORY_COLUMN_NAMES = {
    "sku": "Артикул",
    "brand": "Бренд",
    "product": "Модель",
    "product_type": "Тип",
    "color": "Цвет",
    "size": "Размер",
    "quantity": "Остаток",
    "reserved": "Резерв",
    "available": "Доступно",
    "price": "Цена, ₸",
}
LOW_STOCK = "мало"

# ---- knowledge -------------------------------------------------------------------------------
KNOWLEDGE_DROP_HINT = "Перетащите сюда каталог, скрипты (.docx, .txt) или выгрузку чата WhatsApp"
KNOWLEDGE_ADD = "Добавить документ…"
KNOWLEDGE_COLUMNS = ("Документ", "Тип", "Фрагментов", "Статус", "Изменён")
KNOWLEDGE_PROGRESS = {
    "scan": "Поиск файлов",
    "parse": "Чтение документов",
    "embed": "Векторизация",
    "index": "Индексация",
    "switch": "Переключение",
    "done": "Готово",
}
KNOWLEDGE_BUILT = "База знаний обновлена: {files} файлов, {chunks} фрагментов за {seconds:.1f} с."
KNOWLEDGE_REJECTED = "Документ «{name}» не принят: {reason}"
KNOWLEDGE_WRONG_TYPE = "Принимаются .docx, .txt, .md и выгрузки чатов WhatsApp (.txt, .zip)"
KNOWLEDGE_TEST_TITLE = "Проверка: что ответит бот"
KNOWLEDGE_TEST_PLACEHOLDER = "Вопрос клиента, например: «есть шанель 37 бежевые?»"
KNOWLEDGE_TEST_RUN = "Проверить"
KNOWLEDGE_HITS = "Что найдено в базе знаний:"
KNOWLEDGE_ANSWER = "Ответ бота:"
KNOWLEDGE_NO_HITS = "Ничего не найдено"
KNOWLEDGE_ANSWER_UNAVAILABLE = "Ответ бота недоступен: {reason}"

# ---- follow-ups --------------------------------------------------------------------------------
FOLLOWUP_COLUMNS = ("Клиент", "Дожим", "Когда")
FOLLOWUP_CANCEL = "Отменить дожим"
FOLLOWUP_PAUSE = "Приостановить все дожимы"
FOLLOWUP_RESUME = "Возобновить дожимы"
FOLLOWUP_PAUSED = "Дожимы приостановлены"
FOLLOWUP_EMPTY = "Запланированных дожимов нет"
FOLLOWUP_NUMBER = "№{number}"
TODAY = "сегодня"
TOMORROW = "завтра"

# ---- status bar -------------------------------------------------------------------------------
STATUS_WHATSAPP = "WhatsApp: {state}"
INSTANCE_STATES = {
    "authorized": "подключён",
    "notAuthorized": "не авторизован (отсканируйте QR-код)",
    "starting": "запускается",
    "blocked": "заблокирован",
    "quota": "исчерпана квота",
    "wrong_credentials": "неверный ID или токен",
    "tls_untrusted": (
        "нет защищённого соединения: сертификат сервера не проверен. Если антивирус проверяет "
        "HTTPS-трафик (Kaspersky, ESET), добавьте программу в исключения или установите его "
        "корневой сертификат; проверьте дату и время на компьютере"
    ),
    "unreachable": "нет связи",
    "sleepMode": "телефон не в сети",
    "yellowCard": "ограничен",
    "demo": "демо-песочница",
    "stopped": "остановлен",
    "unknown": "неизвестно",
}
LLM_MODES = {"openai": "OpenAI", "local": "локальный сервер", "offline": "офлайн (шаблоны)"}
STATUS_LLM = "ИИ: {mode}"
STATUS_QUEUES = "Очереди: входящие {inbox}, исходящие {outbox}"
STATUS_LAST_ERROR = "Ошибка: {error}"
STATUS_NO_ERROR = "Ошибок нет"

# ---- settings -----------------------------------------------------------------------------------
SETTINGS_TITLE = "Настройки"
SETTINGS_GROUPS = {
    "whatsapp": "WhatsApp (GREEN-API)",
    "llm": "ИИ (OpenAI или совместимый сервер)",
    "drive": "Фото из Google Drive",
    "telegram": "Telegram-бот",
    "shop": "Магазин",
    "nudges": "Дожимы",
    "announcements": "Рассылки акций",
    "seats": "Несколько рабочих мест (общая база PostgreSQL)",
    "reports": "Отчёты владельцу",
    "console": "Консоль",
}
SETTINGS_LABELS = {
    "GREEN_API_INSTANCE_ID": "ID инстанса",
    "GREEN_API_TOKEN": "Токен",
    "GREEN_API_URL": "Адрес API",
    "OPENAI_API_KEY": "Ключ API",
    "OPENAI_BASE_URL": "Адрес сервера (необязательно)",
    "OPENAI_MODEL": "Модель",
    "GOOGLE_DRIVE_PHOTOS_FOLDER_ID": "ID папки с фото",
    "GOOGLE_CREDENTIALS_FILE": "Файл ключа сервисного аккаунта",
    "MANAGER_NUMBERS": "Номера менеджеров (через запятую)",
    "OTTENOK_WORK_HOURS": "Часы работы (например 9-19)",
    "OTTENOK_TIMEZONE": "Часовой пояс",
    "OTTENOK_PERSONA_NAME": "Имя бота",
    "NUDGE_ENABLED": "Дожимы включены",
    "OTTENOK_NUDGE1_TEXT": "Текст первого дожима",
    "OTTENOK_NUDGE2_TEXT": "Текст второго дожима",
    "OTTENOK_ANNOUNCE_MIN_SEC": "Пауза между чатами, от (секунд)",
    "OTTENOK_ANNOUNCE_MAX_SEC": "Пауза между чатами, до (секунд)",
    "OTTENOK_ANNOUNCE_MAX_FAILURES": "Пауза рассылки после стольких ошибок подряд",
    "DATABASE_URL": "Адрес базы (пусто — только этот компьютер)",
    "OTTENOK_SEAT_ID": "Имя рабочего места (пусто — имя компьютера)",
    "OTTENOK_SEAT_ROLE": "Роль: leader-capable или console-only",
    "MANAGER_NAME": "Ваше имя (видно в журнале)",
    "TELEGRAM_BOT_TOKEN": "Токен бота (от @BotFather)",
    "TELEGRAM_API_URL": "Адрес Bot API",
    "TELEGRAM_OPERATORS_CHAT_ID": "ID группы операторов",
    "TELEGRAM_OPERATOR_IDS": "ID операторов (через запятую)",
    "TELEGRAM_OWNER_CHAT_ID": "ID чата владельца (отчёты)",
    "OTTENOK_REPORTS_ENABLED": "Ежедневный и еженедельный отчёт",
    "OTTENOK_REPORT_TIME": "Время ежедневного отчёта (ЧЧ:ММ, пусто — час открытия)",
    "OTTENOK_SLOW_FIRST_REPLY_MIN": "Медленный первый ответ — дольше, мин",
}
SETTINGS_SHOW_SECRET = "Показать"
SETTINGS_CHECK = "Проверить"
SETTINGS_CHECKING = "Проверяю…"
SETTINGS_SAVED = "Настройки сохранены. Подключения WhatsApp и ИИ применятся после перезапуска программы."
SETTINGS_REPORTS_APPLIED = " Настройки отчётов уже действуют."
SETTINGS_REPORTS_AFTER_RESTART = " Настройки отчётов вступят в силу после перезапуска."
SETTINGS_INVALID = "Неверное значение «{label}»: {expected}"
SETTINGS_BROWSE = "Выбрать…"
CHECK_OK = "✓ {detail}"
CHECK_FAIL = "✗ {detail}"
CHECK_WHATSAPP_NEED = "Укажите ID инстанса и токен"
CHECK_WHATSAPP_STATE = "Состояние инстанса: {state}"
CHECK_LLM_NEED = "Укажите ключ API или адрес сервера"
CHECK_LLM_OK = "Модель ответила: «{answer}»"
CHECK_DRIVE_NEED = "Укажите ID папки и файл ключа"
CHECK_DRIVE_OK = "Файлов в папке: {count}"
CHECK_ERROR = "Ошибка: {error}"
CHECK_DB_NEED = "Укажите адрес базы PostgreSQL"
CHECK_DB_OK = "База доступна (PostgreSQL {version}), рабочих мест: {seats}"
CHECK_UNAVAILABLE = "Проверка недоступна в этой сборке"

# Expected-value hints shown under an invalid field (from the setting's English rule).
SETTINGS_EXPECTED = {
    "GREEN_API_INSTANCE_ID": "число из личного кабинета GREEN-API, например 1101000001",
    "GREEN_API_URL": "адрес вида https://api.green-api.com",
    "OPENAI_BASE_URL": "адрес вида http://localhost:8000/v1",
    "MANAGER_NUMBERS": "телефоны через запятую, например 77011234567, 77017654321",
    "OTTENOK_WORK_HOURS": "часы открытия и закрытия, например 9-19",
    "OTTENOK_TIMEZONE": "часовой пояс, например Asia/Almaty",
    "OPENAI_MODEL": "название модели, например gpt-4o",
    "OTTENOK_PERSONA_NAME": "непустое имя",
    "NUDGE_ENABLED": "да или нет",
    "OTTENOK_ANNOUNCE_MIN_SEC": "секунды от 0.5 до 3600, например 4",
    "OTTENOK_ANNOUNCE_MAX_SEC": "секунды от 0.5 до 3600, например 8",
    "OTTENOK_ANNOUNCE_MAX_FAILURES": "целое число от 1 до 100, например 3",
    "TELEGRAM_API_URL": "адрес вида https://api.telegram.org",
    "TELEGRAM_OPERATORS_CHAT_ID": "число, для группы обычно с минусом, например -1001234567890",
    "TELEGRAM_OWNER_CHAT_ID": "число, например 123456789",
    "TELEGRAM_OPERATOR_IDS": "числа через запятую, например 123456789, 987654321",
    "DATABASE_URL": "адрес вида postgresql://ottenok:пароль@192.168.1.10:5432/ottenok",
    "OTTENOK_SEAT_ROLE": "leader-capable (может вести бота) или console-only (только консоль)",
    "OTTENOK_REPORTS_ENABLED": "да или нет",
    "OTTENOK_REPORT_TIME": "время магазина ЧЧ:ММ, например 09:00 или 21:30 (пусто — час открытия)",
    "OTTENOK_SLOW_FIRST_REPLY_MIN": "целое число минут от 1 до 1440, например 10",
}
CHECK_TELEGRAM_NEED = "Укажите токен бота"
CHECK_TELEGRAM_BOT = "Бот @{username} на связи"
CHECK_TELEGRAM_IN_GROUP = "; в группе операторов: {status}"
CHECK_TELEGRAM_NOT_IN_GROUP = "; бота нет в группе операторов — добавьте его в группу"
CHECK_TELEGRAM_GROUP_ERROR = "; группа операторов недоступна: {error}"

# ---- quick replies -----------------------------------------------------------------------------
QUICK_REPLIES_TITLE = "Быстрые ответы"
QUICK_REPLY_ADD = "Добавить"
QUICK_REPLY_REMOVE = "Удалить"
QUICK_REPLY_TITLE_LABEL = "Название"
QUICK_REPLY_TEXT_LABEL = "Текст"
QUICK_REPLY_PHOTO_LABEL = "Фото (необязательно)"
QUICK_REPLY_NEW = "Новый ответ"
DEFAULT_QUICK_REPLIES = (
    ("Приветствие", "Здравствуйте! Меня зовут {manager}, я менеджер магазина «Оттенок». Чем могу помочь?", ""),
    ("Таблица размеров", "Вот наша таблица размеров. Если сомневаетесь — напишите длину стопы в см, подберу размер 🙂", ""),
    ("Доставка", "Доставка по Алматы — 1–2 дня, курьером. В другие города — Казпочтой или СДЭК, 3–7 дней.", ""),
    ("Примерка", "Можно прийти на примерку в магазин: ежедневно с 10:00 до 20:00. Если не подойдёт — обменяем или вернём деньги.", ""),
    ("Оплата", "Оплатить можно Kaspi переводом, картой или наличными при получении.", ""),
)

# ---- demo customer window -------------------------------------------------------------------------
DEMO_CLIENT_TITLE = "Клиент (демо)"
DEMO_CLIENT_HEADER = "Оттенок · обувь"
DEMO_CLIENT_LABEL = "ДЕМО: вы пишете как клиент"
DEMO_CLIENT_PLACEHOLDER = "Напишите как клиент, например: «есть шанель 37?»"
DEMO_CLIENT_NAME = "Айгерим (демо)"
DEMO_CLIENT_SWITCH = {"whatsapp": "Писать в Telegram", "telegram": "Писать в WhatsApp"}
DEMO_CLIENT_SHARE_PHONE = "📱 Номер"  # the Telegram customer shares their phone number

# ---- generic ------------------------------------------------------------------------------------
DROP_UNKNOWN = "Этот файл не подходит: перетащите остатки (.xlsx, .csv) или документы (.docx, .txt)"
CANCEL = "Отмена"
YES = "Да"
NO = "Нет"
DEFAULT_MANAGER_NAME = "Менеджер"
SEAT_STATES = {
    "leader": "Бот работает на этом месте",
    "follower": "Бот работает на другом месте",
    "console-only": "Только консоль (бот на другом месте)",
    "stopped": "Место отключено",
}
SHARED_INSTANCE = ("⚠ Похоже, этот номер WhatsApp обслуживает ещё одна программа — обе отвечают клиентам. "
                   "Закройте вторую копию или настройте несколько рабочих мест с общей базой (docs/SEATS.md).")
SEAT_LEADER = "ведущее место: {seat}"
SEAT_NO_LEADER = "ведущего места нет"
SEATS_ONLINE = "онлайн: {names}"
NEXT_NUDGE = "Дожим №{number}: {when}"
MANAGER_NAME_TITLE = "Как вас зовут?"
MANAGER_NAME_PROMPT = ("Ваше имя будет в журнале: кто взял чат, кто написал клиенту, кто изменил заказ.\n"
                       "Изменить можно в «Настройках».")

# ---- start-up failures ------------------------------------------------------------------------
XCB_MISSING = (
    "Ottenok Desktop cannot open its window: Qt needs X11 (xcb) libraries this system lacks.\n"
    "Оттенок не может открыть окно: в системе нет библиотек X11 (xcb), нужных Qt.\n"
    "Missing / не найдены: {libraries}\n"
    "Install them (Debian/Ubuntu) / установите их командой:\n"
    "    {command}\n"
    "Other distributions: install the packages that provide these files. "
    "Без окна можно работать так: python -m ottenok_desktop --headless"
)
DB_DAMAGED_TITLE = "Оттенок — база данных повреждена"
DB_DAMAGED_WHAT = {
    "empty": "файл пустой (0 байт)",
    "not_sqlite": "это не файл базы данных",
    "truncated": "файл обрезан — записан не до конца",
    "malformed": "файл повреждён",
}
DB_DAMAGED_TEXT = (
    "Не удалось открыть базу данных программы: {what}.\n"
    "Так бывает, если компьютер выключился во время записи или файл скопировали с ошибкой.\n\n"
    "Файл: {path}"
)
DB_DAMAGED_BACKUP = (
    "\n\nПоследняя резервная копия: {backup} (от {when}).\n"
    "«Восстановить из копии» — повреждённый файл не удаляется: он будет переименован в «{aside}…», "
    "а на его место встанет копия. Сообщения после {when} в копии не будет."
)
DB_DAMAGED_NO_BACKUP = (
    "\n\nРезервной копии рядом нет. Уберите повреждённый файл из папки, чтобы начать с пустой базы, "
    "или положите на его место исправную копию ottenok.sqlite3 и запустите программу снова."
)
DB_RESTORE = "Восстановить из копии"
DB_QUIT = "Выйти"
DB_RESTORE_FAILED = "Не удалось восстановить копию: {reason}\nПовреждённый файл не тронут."
ALREADY_RUNNING_TITLE = "Оттенок уже запущен"
ALREADY_RUNNING_TEXT = (
    "Оттенок уже работает с этой папкой данных: {holder}.\n\n"
    "С одной папкой может работать только одна программа. "
    "Если это сервер без окна — остановите его, прежде чем открывать окно.\n\nПапка: {folder}"
)
FATAL_TITLE = "Оттенок — не удалось запустить"
FATAL_START = (
    "Программа не смогла запуститься.\n\n{reason}\n\n"
    "Подробности записаны в журнал: {log}\nЕсли ошибка повторяется, передайте этот файл администратору."
)
FATAL_SETTINGS = "Ошибка в настройках:\n\n{reason}\n\nИсправьте значение в файле настроек и запустите программу снова."

# ---- reports tab («Отчёты») ------------------------------------------------------------------------
TAB_REPORTS = "Отчёты"
REPORT_PERIODS = (("day", "День"), ("week", "Неделя"), ("month", "Месяц"))
REPORT_REFRESH = "Обновить"
REPORT_EXPORT = "Экспорт в Excel…"
REPORT_EXPORT_FILTER = "Книга Excel (*.xlsx)"
REPORT_EXPORTED = "Сохранено: {path}"
REPORT_LOADING = "Считаю отчёт…"
REPORT_EMPTY = "За этот период сообщений нет."
REPORT_READY = "Период {label}, рабочие часы {hours} ({zone}). Время ответа — только рабочее; медиана и P90."
REPORT_FAILED = "Не удалось посчитать отчёт: "
REPORT_EXPORT_FAILED = "Не удалось сохранить отчёт: "
REPORT_TILES = (
    ("chats", "Чатов"), ("response_rate", "Ответили, %"), ("unanswered", "Без ответа"),
    ("first", "Первый ответ: медиана / P90"), ("conversion", "Конверсия, %"), ("handoffs", "Передано менеджеру"),
)
REPORT_RESPONDER_COLUMNS = ("Кто", "Чатов", "1-й ответ: медиана", "P90", "Ответ: медиана", "P90", "Без ответа",
                            "SPIN S/P/I/N, %")
REPORT_RESPONDER_TIPS = (
    "", "Чаты, где он писал за период", "Первый ответ в новых чатах, рабочее время", "9 из 10 первых ответов быстрее",
    "Ответ на каждую серию сообщений клиента", "9 из 10 ответов быстрее",
    "Сообщения клиентов без ответа после того, как он уже отвечал в чате",
    "Доля продающих чатов с ситуационными / проблемными / извлекающими / направляющими вопросами",
)
REPORT_ADVICE_COLUMNS = ("Клиент", "Что сделать", "1-й ответ", "Без ответа")
REPORT_ADVICE_SHORT = {
    "no_reply": "Нет ответа", "slow_first_reply": "Медленный первый ответ", "follow_up_needed": "Нужен follow-up",
    "no_questions": "Нет уточняющих вопросов", "no_next_step": "Нет следующего шага",
}
CHART_BUCKET_LABELS = ("≤1", "1–5", "5–15", "15–60", "1–4 ч", ">4 ч", "нет")
REPORT_ADVICE_TITLE = "Советы по чатам (нажмите, чтобы открыть чат)"
REPORT_RESPONDERS_TITLE = "Бот и менеджеры"
CHART_VOLUME = "Сообщения по дням"
CHART_VOLUME_IN = "входящие"
CHART_VOLUME_OUT = "исходящие"
CHART_DAY_TIME = "Первый ответ по дням, мин (медиана)"
CHART_BUCKETS = "Первый ответ, мин: сколько чатов"
CHART_RESPONDERS = "Первый ответ, мин: медиана и P90"
CHART_SPIN = "SPIN: доля продающих чатов, %"
CHART_MEDIAN = "медиана"
CHART_P90 = "P90"
SPIN_SHORT = ("S", "P", "I", "N")

# ---- promotions and announcements (issue 16) ------------------------------------------------------
TAB_PROMOTIONS = "Акции"
PROMO_COLUMNS = ("Название", "Даты", "На что", "Скидка", "Статус")
PROMO_STATUS = {"active": "Активна", "waiting": "Ожидает", "finished": "Закончена"}
PROMO_DATES = "{start} – {end}"
PROMO_FIXED_PRICE = "{price} ₸"  # a fixed promotion price, as the table shows it
PROMO_ADD = "Добавить"
PROMO_EDIT = "Изменить"
PROMO_DELETE = "Удалить"
PROMO_ANNOUNCE = "Разослать…"
PROMO_FILE = "Файл: {path}"
PROMO_EMPTY = "Акций пока нет. Нажмите «Добавить» или положите promotions.xlsx в папку данных."
PROMO_FILE_ERRORS = "Файл акций не принят (бот пользуется прежним списком):"
PROMO_SAVED = "Сохранено в {name}: акций {count}. Бот увидит изменения в течение нескольких секунд."
PROMO_SAVE_REFUSED = "Не сохранено — исправьте и попробуйте снова:"
PROMO_DELETE_CONFIRM = "Удалить акцию «{title}» из файла?"
PROMO_DIALOG_NEW = "Новая акция"
PROMO_DIALOG_EDIT = "Акция"
PROMO_FIELDS = ("Название", "Описание", "Начало (ДД.ММ.ГГГГ)", "Конец (ДД.ММ.ГГГГ)", "На что", "Скидка")
PROMO_APPLIES_HINT = "бренды, модели или типы через запятую, или «всё»"
PROMO_DISCOUNT_HINT = "10% или цена: 88 200"
ANNOUNCE_TITLE = "Рассылка: {title}"
ANNOUNCE_TEXT = "Текст"
ANNOUNCE_PHOTOS = "Фото (до 3)"
ANNOUNCE_ADD_PHOTO = "Добавить фото…"
ANNOUNCE_REMOVE_PHOTO = "Убрать"
ANNOUNCE_PICK_PHOTOS = "Фото для рассылки"
ANNOUNCE_PHOTO_FILTER = "Изображения (*.jpg *.jpeg *.png *.webp)"
ANNOUNCE_RECIPIENTS = "Получат: {count}"
ANNOUNCE_RECIPIENTS_RULE = ("Только клиенты, которые согласились получать акции, не отказались, без открытого тикета "
                            "и доступны в WhatsApp.")
ANNOUNCE_PACE = ("Отправка по одному чату раз в {low:g}–{high:g} с, только в рабочие часы ({hours}); "
                 "при ошибках отправки рассылка встанет на паузу сама.")
ANNOUNCE_SEND = "Начать рассылку"
ANNOUNCE_NOBODY = "Некому отправлять: нет клиентов с согласием на рассылку."
ANNOUNCE_STARTED = "Рассылка начата: получателей {count}."
ANNOUNCE_ERRORS = {"empty_text": "Напишите текст рассылки.", "text_too_long": "Текст слишком длинный.",
                   "too_many_photos": "Не больше 3 фото."}
ANNOUNCEMENTS_TITLE = "Рассылки"
ANNOUNCEMENT_COLUMNS = ("№", "Акция", "Статус", "Ход", "Отправлено", "Доставлено", "Прочитано",
                        "Ответили за 24 ч", "Заказы за 7 дней", "Запустил(а)")
ANNOUNCEMENT_TIPS = ("", "", "", "Сколько чатов уже в очереди на отправку из всех получателей",
                     "Сообщение ушло в WhatsApp", "Доставлено или прочитано", "Прочитано (синие галочки)",
                     "Клиент написал в этот чат в течение 24 часов после рассылки",
                     "Подтверждённые заказы в этом чате в течение 7 дней после рассылки", "")
ANNOUNCEMENT_STATE = {"draft": "Черновик", "sending": "Идёт", "paused": "На паузе", "done": "Завершена",
                      "cancelled": "Отменена"}
ANNOUNCEMENT_PAUSE = "Пауза"
ANNOUNCEMENT_RESUME = "Продолжить"
ANNOUNCEMENT_CANCEL = "Отменить"
ANNOUNCEMENT_CANCEL_CONFIRM = "Отменить рассылку №{id}? Оставшиеся {left} чатов её не получат."
ANNOUNCEMENT_PAUSED_BY = "Рассылка №{id} на паузе: её остановил(а) {who}."
ANNOUNCEMENT_PAUSED_FAILURES = ("Рассылка №{id} на паузе: подряд не проходят отправки ({error}). "
                                "Проверьте подключение WhatsApp и нажмите «Продолжить».")
ANNOUNCEMENT_REFUSED = "Не получилось: рассылка №{id} уже {state}."
PROMO_CONSENT_BOX = "Согласие на рассылку"
PROMO_CONSENT_TIP = "Клиент согласился получать акции (отметка менеджера с вашим именем и временем)"
PROMO_CONSENT_LOCKED = "Клиент сам отказался от рассылки — отметить нельзя"
PROMO_CONSENT_REFUSED = "Клиент сам отказался от рассылки: согласие не записано."
PROMO_SOURCE_MANAGER = "менеджер {name}"
