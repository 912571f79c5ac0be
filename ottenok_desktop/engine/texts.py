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
