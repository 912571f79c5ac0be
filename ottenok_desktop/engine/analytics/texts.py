"""Every Russian text the analytics shows (the console, the workbook, the daily report)."""

from __future__ import annotations

BOT_NAME = "Бот"
DEFAULT_MANAGER = "Менеджер"
NO_RESPONDER = "—"

ADVICE = {
    "no_reply": "Нет ответа магазина: клиент написал, ему никто не ответил",
    "slow_first_reply": "Сократить время первого ответа (дольше {minutes} рабочих минут)",
    "follow_up_needed": "Нужен follow-up: последние сообщения клиента остались без ответа",
    "no_questions": "Добавить уточняющие вопросы: в первых ответах нет ни одного вопроса",
    "no_next_step": "Дать следующий шаг: клиент спрашивал о цене, наличии или покупке, а ему не предложили бронь, заказ, доставку или оплату",
}

STAGE_NAMES = {
    "situation": "Ситуационные (S)",
    "problem": "Проблемные (P)",
    "implication": "Извлекающие (I)",
    "need_payoff": "Направляющие (N)",
    "none": "Не SPIN",
}

PLAN_OK = "SPIN в норме: все четыре типа вопросов звучат достаточно часто."
PLAN_NO_SALES = "Мало продающих чатов за период — план не составлен."
PLAN_STAGE = {
    "situation": (
        "Ситуационные вопросы — {share} % продающих чатов (цель {target} %). Узнавайте факты до предложения: "
        "«Какой размер вы обычно носите?», «Для какого случая ищете?», «В каком вы городе?»"
    ),
    "problem": (
        "Проблемные вопросы — {share} % (цель {target} %). Спрашивайте, что не устраивает сейчас: "
        "«Что не понравилось в прошлой паре?», «Не натирают ли туфли к вечеру?»"
    ),
    "implication": (
        "Извлекающие вопросы — {share} % (цель {target} %). Покажите последствия проблемы: "
        "«Из-за этого приходится брать сменную обувь?», «В итоге дорогая пара стоит в шкафу?»"
    ),
    "need_payoff": (
        "Направляющие вопросы — {share} % (цель {target} %). Пусть клиент сам назовёт выгоду: "
        "«Было бы удобно, если бы туфли не натирали весь день?», «Насколько важно получить пару до праздника?»"
    ),
}

# Daily / weekly report (Telegram text and the saved summary).
REPORT_TITLE = {"day": "Отчёт за {label}", "week": "Отчёт за неделю {label}", "month": "Отчёт за месяц {label}"}
REPORT_LINE_CHATS = "Чатов: {chats}, ответили в {rate} % (ответ получили {answered} из {customer_chats})"
REPORT_LINE_CONVERSION = "Конверсия в подтверждённый заказ: {conversion} %"
REPORT_LINE_UNANSWERED = "Без ответа: {unanswered} сообщений клиентов"
REPORT_LINE_RESPONDER = "{name}: первый ответ медиана {median}, P90 {p90} ({count} чатов)"
REPORT_LINE_NO_FIRST = "{name}: первых ответов не было"
REPORT_LINE_ADVICE = "Чатов с советами: {count}"
