"""Response times, runs, unanswered messages, advice and SPIN shares on hand-computed chats."""

from __future__ import annotations

from ottenok_desktop.engine.analytics import advice as A
from ottenok_desktop.engine.analytics.compute import build_report
from ottenok_desktop.engine.analytics.model import ChatInfo
from ottenok_desktop.engine.analytics.report import Report
from ottenok_desktop.settings import WorkHours

from .helpers import at, msg, report_input

H = WorkHours(9, 19)


def report(messages, **kw) -> Report:  # type: ignore[no-untyped-def]
    return build_report(report_input(messages, **kw), H)


def chat(r: Report, key: str):  # type: ignore[no-untyped-def]
    return next(c for c in r.chats if c.key == key)


def test_runs_replies_and_unanswered_are_attributed_to_their_responders() -> None:
    r = report([
        msg("a", "10:00", "c", "здравствуйте, лоферы шанель 37 есть?"),
        msg("a", "10:02", "c", "бежевые"),
        msg("a", "10:05", "bot", "Здравствуйте! Есть, 285 000 ₸. Какой у вас размер обычно?"),
        msg("a", "10:30", "c", "37"),
        msg("a", "10:50", "manager_app:Асель", "Отложила для вас, оформим доставку?"),
        msg("a", "11:00", "c", "а в астану сколько едет"),
        msg("a", "11:01", "c", "ау"),
    ])
    bot, asel = r.responder("Бот"), r.responder("Асель")
    assert bot is not None and asel is not None
    assert (bot.first_response.count, bot.first_response.median) == (1, 300.0)  # 10:00 → 10:05
    assert (asel.reply.count, asel.reply.median) == (1, 1200.0)  # 10:30 → 10:50
    assert asel.first_response.count == 0
    assert asel.unanswered_inbound == 2  # 11:00 and 11:01 wait after Асель had answered
    assert r.overall.reply.median == 750.0 and r.overall.reply.p90 == 1110.0
    assert r.overall.unanswered_inbound == 2
    c = chat(r, "a")
    assert (c.inbound, c.outbound, c.replies, c.first_response_sec, c.first_responder) == (5, 2, 2, 300.0, "Бот")
    assert c.advice == [A.FOLLOW_UP_NEEDED, A.NO_NEXT_STEP]  # «сколько едет» asked, nobody answered
    assert c.responders == ["Бот", "Асель"]


def test_first_response_counts_working_time_only() -> None:
    r = report([
        msg("late", "18:50", "c", "есть сумка прада?"),
        msg("late", "+1 09:05", "manager_phone:Дана", "Доброе утро! Есть, какой цвет смотрите?"),
        msg("night", "22:00", "c", "здравствуйте"),
        msg("night", "+1 09:05", "manager_phone:Дана", "Здравствуйте! Чем помочь?"),
    ])
    assert chat(r, "late").first_response_sec == 900.0  # 10 min before closing + 5 after opening
    assert chat(r, "night").first_response_sec == 300.0
    dana = r.responder("Дана")
    assert dana is not None and dana.first_response.median == 600.0
    assert A.SLOW_FIRST_REPLY in chat(r, "late").advice  # 15 working minutes > 10
    assert A.SLOW_FIRST_REPLY not in chat(r, "night").advice


def test_chat_that_began_before_the_period_has_no_first_response() -> None:
    messages = [msg("old", "10:00", "c", "привет"), msg("old", "10:10", "bot", "Здравствуйте!")]
    r = build_report(report_input(messages, earlier_customer={"old"}), H)
    c = chat(r, "old")
    assert c.first_response_sec is None
    assert c.replies == 1 and r.overall.reply.median == 600.0
    assert r.overall.first_response.count == 0


def test_no_reply_and_buckets_and_response_rate() -> None:
    r = report([
        msg("silent", "12:00", "c", "сколько стоят кроссовки баленсиага?"),
        msg("silent", "12:05", "c", "??"),
        msg("fast", "12:00", "c", "здравствуйте"),
        msg("fast", "12:00", "bot", "Здравствуйте! Какой размер ищете?"),
    ])
    silent = chat(r, "silent")
    assert silent.advice == [A.NO_REPLY, A.NO_NEXT_STEP]
    assert silent.unanswered_inbound == 2
    assert (r.overall.customer_chats, r.overall.answered_chats, r.overall.response_rate) == (2, 1, 0.5)
    assert dict(r.buckets)["≤ 1 мин"] == 1 and dict(r.buckets)["без ответа"] == 1


def test_questions_and_next_step_advice() -> None:
    r = report([
        msg("dry", "10:00", "c", "есть балетки миу миу 36?"),
        msg("dry", "10:01", "manager_app:Асель", "Есть."),
        msg("dry", "10:02", "manager_app:Асель", "Цена 320 000 ₸."),
        msg("good", "10:00", "c", "есть балетки миу миу 36?"),
        msg("good", "10:01", "manager_app:Асель", "Есть! Могу забронировать до вечера"),
    ])
    assert chat(r, "dry").advice == [A.NO_QUESTIONS, A.NO_NEXT_STEP]
    assert chat(r, "good").advice == [A.NO_QUESTIONS]  # a next step, but no question among the first answers


def test_reply_after_the_period_still_answers_its_message() -> None:
    r = report([msg("a", "18:59", "c", "здравствуйте"), msg("a", "+1 09:02", "bot", "Здравствуйте!")])
    c = chat(r, "a")
    assert c.first_response_sec == 180.0 and c.unanswered_inbound == 0 and c.outbound == 0


def test_manager_without_a_name_is_called_manager_and_system_free() -> None:
    r = report([msg("a", "10:00", "c", "ау"), msg("a", "10:03", "manager_phone:", "Да, слушаю")])
    assert [x.name for x in r.responders] == ["Менеджер"]


def test_spin_shares_plan_and_conversion() -> None:
    messages = []
    for i in range(4):
        key = f"s{i}"
        messages += [
            msg(key, "11:00", "c", "сколько стоят лоферы?"),
            msg(key, "11:02", "manager_app:Мадина", "89 000 ₸. Какой размер вы носите?"),
        ]
        if i < 2:
            messages.append(msg(key, "11:03", "manager_app:Мадина", "Что не устраивает в нынешних лоферах?"))
    r = build_report(report_input(messages, converted={"s0": at("12:00")}), H)
    madina = r.responder("Мадина")
    assert madina is not None and madina.sales_chats == 4
    assert madina.spin_share == {"situation": 1.0, "problem": 0.5, "implication": 0.0, "need_payoff": 0.0}
    assert len(madina.plan) == 3 and madina.plan[0].startswith("Проблемные вопросы — 50 %")
    assert chat(r, "s0").spin == ["situation", "problem"] and chat(r, "s3").spin == ["situation"]
    assert (r.overall.converted_chats, r.overall.conversion) == (1, 0.25)
    assert r.days[0].conversions == 1


def test_channels_and_days_of_a_week() -> None:
    messages = [msg("wa", "10:00", "c", "привет"), msg("wa", "10:01", "bot", "Здравствуйте!"),
                msg("wa", "+2 10:00", "c", "ещё вопрос"), msg("wa", "+2 10:04", "bot", "Слушаю")]
    inp = report_input(messages, kind="week")
    inp.chats["ig"] = ChatInfo("ig", channel="instagram")
    inp.messages = [*messages, msg("ig", "11:00", "c", "hi")]
    r = build_report(inp, H)
    assert set(r.channels) == {"instagram", "whatsapp"}
    assert r.channels["instagram"].unanswered_inbound == 1 and r.channels["whatsapp"].reply.count == 2
    assert len(r.days) == 7
    tuesday, thursday = r.days[1], r.days[3]
    assert (tuesday.inbound, tuesday.new_chats, tuesday.first_response.median) == (2, 2, 60.0)
    assert (thursday.inbound, thursday.reply.median) == (1, 240.0)


def test_json_has_the_contract_fields() -> None:
    doc = report([msg("a", "10:00", "c", "ау"), msg("a", "10:01", "bot", "Да?")]).as_json()
    assert set(doc) >= {"period", "responders", "overall", "channels", "chats"}
    responder = doc["responders"][0]
    assert set(responder) >= {"name", "kind", "first_response_sec", "reply_sec", "unanswered_inbound", "chats"}
    assert set(responder["first_response_sec"]) == {"count", "median", "p90", "mean"}
    assert "response_rate" in doc["overall"]
    assert set(doc["chats"][0]) >= {"chat", "responders", "first_response_sec", "unanswered_inbound", "advice", "spin"}


def test_shop_messages_alone_make_no_runs() -> None:
    r = report([msg("n", "13:00", "bot", "Хотела уточнить, актуальна ли модель?")])
    c = chat(r, "n")
    assert (c.inbound, c.outbound, c.unanswered_inbound, c.advice) == (0, 1, 0, [])
    assert r.overall.customer_chats == 0 and r.overall.response_rate is None
    assert r.responder("Бот").chats == 1  # type: ignore[union-attr]


def test_plan_in_order_and_too_few_sales_chats() -> None:
    shares = {"situation": 0.9, "problem": 0.7, "implication": 0.5, "need_payoff": 0.6}
    assert A.spin_plan(shares, 10) == ["SPIN в норме: все четыре типа вопросов звучат достаточно часто."]
    assert A.spin_plan(shares, 2) == ["Мало продающих чатов за период — план не составлен."]
    assert A.spin_plan({**shares, "need_payoff": 0.59}, 10)[0].startswith("Направляющие вопросы — 59 % (цель 60 %)")
