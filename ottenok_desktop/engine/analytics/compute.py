"""Builds a `Report` from the period's rows (definitions: docs/ANALYTICS.md).

Column-wise with numpy, so a month of half a million messages costs well under a
second: messages are ordered by (chat, time); a run of customer messages starts at a
customer message whose predecessor in the chat is not a customer message; its reply is
the first shop message after it in the same chat (a binary search over the shop
messages' positions); every reply's working time is measured in one call on the
`WorkCalendar`; per-chat, per-day and per-responder figures are bincounts. What the
texts say (questions, SPIN stages, buying questions, next steps) comes in as fact bits
(`facts.py`, stored with each message), so no text is read here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
import numpy as np

from ottenok_desktop.settings import WorkHours

from . import advice as A
from .model import LOOKAHEAD, LOOKBACK, ChatInfo, MessageColumns, ReportInput, ResponderKind
from .report import BUCKETS, NO_ANSWER_BUCKET, ChatResult, DayRow, Group, Report, ResponderResult
from .facts import BITS_MASK, BUYING, NEXT_STEP, QUESTION, STAGES_MASK, stage_names
from .spin import SALES_STAGES
from .stats import stats
from .worktime import WorkCalendar

DEFAULT_SLOW_FIRST_REPLY_SEC = 600.0
STAGE_VALUES = tuple(stage.value for stage in SALES_STAGES)  # plain strings: enum access is slow in loops


def _bincount(index: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    if index.size == 0:
        return np.zeros(size, dtype=np.float64 if weights is not None else np.int64)
    return np.bincount(index, weights=weights, minlength=size)


def _group_values(keys: np.ndarray, values: np.ndarray) -> dict[int, np.ndarray]:
    """values split by key (both 1-D, same length)."""
    if keys.size == 0:
        return {}
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    cuts = np.flatnonzero(np.diff(keys)) + 1
    return {int(part_keys[0]): part for part_keys, part in zip(np.split(keys, cuts), np.split(values, cuts))}


def _group_medians(keys: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Per key 0..size-1, the median of its values (NaN when none), without a loop."""
    medians = np.full(size, np.nan)
    if keys.size == 0:
        return medians
    order = np.lexsort((values, keys))
    keys, values = keys[order], values[order]
    uniq, first, counts = np.unique(keys, return_index=True, return_counts=True)
    low = values[first + (counts - 1) // 2]
    high = values[first + counts // 2]
    medians[uniq] = (low + high) / 2
    return medians


def _last_position(chat: np.ndarray, positions: np.ndarray, size: int) -> np.ndarray:
    """Per chat, the largest of `positions` belonging to it (-1 when none)."""
    last = np.full(size, -1, dtype=np.int64)
    if positions.size:
        np.maximum.at(last, chat[positions], positions)
    return last


def build_report(
    report_input: ReportInput, hours: WorkHours, *, slow_first_reply_sec: float = DEFAULT_SLOW_FIRST_REPLY_SEC,
    generated_at: datetime | None = None,
) -> Report:
    period = report_input.period
    raw = report_input.messages
    cols = raw if isinstance(raw, MessageColumns) else MessageColumns.from_msgs(raw)
    nchat, ndays = len(cols.keys), len(period.days)
    ps, pe = period.start.timestamp(), period.end.timestamp()
    day_starts = np.array([datetime(d.year, d.month, d.day, tzinfo=period.zone).timestamp() for d in period.days])

    # ---- messages in (chat, time) order -------------------------------------------------------
    order = np.lexsort((cols.at, cols.chat))
    chat, at, cust, resp = cols.chat[order], cols.at[order], cols.customer[order], cols.responder[order]
    facts = cols.facts[order] & BITS_MASK
    n = at.size
    inside = (at >= ps) & (at < pe)
    day = np.where(inside, np.searchsorted(day_starts, at, side="right") - 1, -1)
    shop = ~cust

    # ---- runs of customer messages and their replies --------------------------------------------
    same_prev = np.zeros(n, dtype=bool)
    same_prev[1:] = chat[1:] == chat[:-1]
    prev_cust = np.zeros(n, dtype=bool)
    prev_cust[1:] = cust[:-1]
    run_flag = cust & ~(same_prev & prev_cust)
    starts = np.flatnonzero(run_flag)
    run_of = np.cumsum(run_flag) - 1  # the run of each customer message
    shop_pos = np.flatnonzero(shop)
    run_chat = chat[starts]
    k = np.searchsorted(shop_pos, starts)
    nxt = shop_pos[np.minimum(k, max(shop_pos.size - 1, 0))] if shop_pos.size else np.zeros_like(starts)
    answered = (k < shop_pos.size) & (chat[nxt] == run_chat) if shop_pos.size else np.zeros(starts.size, dtype=bool)
    reply_pos = np.where(answered, nxt, -1)
    prv = shop_pos[np.maximum(k - 1, 0)] if shop_pos.size else np.zeros_like(starts)
    blamed = (k > 0) & (chat[prv] == run_chat) if shop_pos.size else np.zeros(starts.size, dtype=bool)
    blame = np.where(blamed, resp[prv], -1)
    reply_resp = np.where(answered, resp[np.maximum(reply_pos, 0)], -1)
    run_inside = inside[starts]
    run_day = day[starts]
    earlier = np.array([key in report_input.earlier_customer for key in cols.keys], dtype=bool)
    first_of_chat = np.ones(starts.size, dtype=bool)
    first_of_chat[1:] = run_chat[1:] != run_chat[:-1]
    is_first = first_of_chat & ~earlier[run_chat] if starts.size else first_of_chat
    timed = answered & run_inside
    durations = np.full(starts.size, np.nan)
    if timed.any():
        calendar = WorkCalendar.spanning(period.zone, hours, period.start - LOOKBACK, period.end + LOOKAHEAD)
        durations[timed] = calendar.between(at[starts[timed]], at[reply_pos[timed]])
    inside_cust = cust & inside
    run_inside_msgs = _bincount(run_of[cust], starts.size, inside_cust[cust].astype(np.float64)).astype(np.int64)
    unanswered_runs = run_inside & ~answered
    unanswered_msgs = np.where(unanswered_runs, run_inside_msgs, 0)

    # ---- text checks ---------------------------------------------------------------------------
    # SPIN and questions only matter in the period; outside it only whether a next step was offered
    shop_bits = facts[shop_pos]
    next_step = (shop_bits & NEXT_STEP) != 0
    cust_inside_pos = np.flatnonzero(inside_cust)
    buying = (facts[cust_inside_pos] & BUYING) != 0
    last_buy = _last_position(chat, cust_inside_pos[buying], nchat)
    last_step = _last_position(chat, shop_pos[next_step], nchat)
    asked_to_buy = last_buy >= 0
    pending_buy = asked_to_buy & (last_step < last_buy)
    shop_inside_mask = inside[shop_pos]
    sip = shop_pos[shop_inside_mask]  # shop messages in the period
    sip_asks = (facts[sip] & QUESTION) != 0
    if sip.size:
        uniq, first_idx = np.unique(chat[sip], return_index=True)
        rank = np.arange(sip.size) - first_idx[np.searchsorted(uniq, chat[sip])]
        early = rank < 3
        first_asks = _bincount(chat[sip][early], nchat, sip_asks[early].astype(np.float64)) > 0
    else:
        first_asks = np.zeros(nchat, dtype=bool)
    shop_inside_count = _bincount(chat[sip], nchat)

    # ---- per chat ------------------------------------------------------------------------------
    active = _bincount(chat[inside], nchat) > 0
    inbound = _bincount(chat[inside_cust], nchat)
    outbound = shop_inside_count
    shop_in_window = _bincount(chat[shop_pos], nchat)
    first_run = np.flatnonzero(is_first & run_inside)
    first_sec = np.full(nchat, np.nan)
    first_sec[run_chat[first_run]] = durations[first_run]
    first_resp = np.full(nchat, -1, dtype=np.int64)
    first_resp[run_chat[first_run]] = reply_resp[first_run]
    first_at = np.full(nchat, np.nan)
    first_at[run_chat[first_run]] = at[starts[first_run]]
    is_new = ~np.isnan(first_at)
    customer_chats = _bincount(run_chat[run_inside], nchat) > 0
    answered_chats = _bincount(run_chat[timed], nchat) > 0
    unanswered_chat = _bincount(run_chat, nchat, unanswered_msgs.astype(np.float64)).astype(np.int64)
    last_run = np.ones(starts.size, dtype=bool)
    last_run[:-1] = run_chat[1:] != run_chat[:-1]
    last_unanswered = np.zeros(nchat, dtype=bool)
    last_unanswered[run_chat[last_run]] = unanswered_runs[last_run]
    answered_count = _bincount(run_chat, nchat, answered.astype(np.float64))
    last_at = np.full(nchat, np.nan)
    inside_pos = np.flatnonzero(inside)
    if inside_pos.size:
        last_at[chat[inside_pos]] = at[inside_pos]  # positions ascend within a chat: the last write wins
    width = max(len(cols.responders), 1)
    pair_codes, pair_of, pair_counts = np.unique(chat[sip] * width + resp[sip], return_inverse=True, return_counts=True)
    # the SPIN stages each responder's questions used in each chat: OR of the stage bits
    pair_stages = np.zeros(pair_codes.size, dtype=np.int64)
    np.bitwise_or.at(pair_stages, pair_of.reshape(-1), facts[sip] & STAGES_MASK)
    stages_by: dict[tuple[int, int], int] = {}
    chat_responders: dict[int, list[int]] = defaultdict(list)
    resp_chats = np.zeros(len(cols.responders), dtype=np.int64)
    resp_msgs = np.zeros(len(cols.responders), dtype=np.int64)
    resp_sales = np.zeros(len(cols.responders), dtype=np.int64)
    resp_stage: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, count, bits in zip(pair_codes.tolist(), pair_counts.tolist(), pair_stages.tolist()):
        c, r = divmod(code, width)
        chat_responders[c].append(r)
        stages_by[(c, r)] = bits
        resp_chats[r] += 1
        resp_msgs[r] += count
        if asked_to_buy[c]:
            resp_sales[r] += 1
            for stage in stage_names(bits):
                resp_stage[r][stage] += 1

    # ---- per day -------------------------------------------------------------------------------
    day_rows = [DayRow(d) for d in period.days]
    day_chat_codes = np.unique(day[inside] * nchat + chat[inside]) if inside.any() else np.zeros(0, dtype=np.int64)
    per_day = {
        "chats": _bincount(day_chat_codes // max(nchat, 1), ndays),
        "inbound": _bincount(day[inside_cust], ndays), "outbound": _bincount(day[sip], ndays),
        "new_chats": _bincount(run_day[first_run], ndays),
        "unanswered_inbound": _bincount(run_day[unanswered_runs], ndays, unanswered_msgs[unanswered_runs].astype(np.float64)),
    }
    first_timed = first_run[answered[first_run]]
    day_first = _group_values(run_day[first_timed], durations[first_timed])
    day_reply = _group_values(run_day[timed], durations[timed])
    for i, row in enumerate(day_rows):
        for name, values in per_day.items():
            setattr(row, name, int(values[i]))
        row.first_response = stats(day_first.get(i, []))
        row.reply = stats(day_reply.get(i, []))
    for moments, attr in ((report_input.handoffs, "handoffs"), (report_input.tickets, "tickets"),
                          (list(report_input.converted.values()), "conversions")):
        for moment in moments:
            if ps <= moment < pe:
                row = day_rows[int(np.searchsorted(day_starts, moment, side="right")) - 1]
                setattr(row, attr, getattr(row, attr) + 1)

    # ---- per responder -------------------------------------------------------------------------
    first_by = _group_values(reply_resp[first_timed], durations[first_timed])
    reply_by = _group_values(reply_resp[timed], durations[timed])
    blame_by = _bincount(blame[unanswered_runs & (blame >= 0)], len(cols.responders),
                         unanswered_msgs[unanswered_runs & (blame >= 0)].astype(np.float64))
    responders: list[ResponderResult] = []
    everyone = [r for r in range(len(cols.responders))
                if resp_chats[r] or r in first_by or r in reply_by or (blame_by.size and blame_by[r])]
    for r in sorted(everyone, key=lambda r: (cols.responders[r][0] != ResponderKind.BOT.value, cols.responders[r][1].casefold())):
        sales = int(resp_sales[r])
        shares = {s: (resp_stage[r][s] / sales if sales else 0.0) for s in STAGE_VALUES}
        kind, name = cols.responders[r]
        responders.append(ResponderResult(
            name=name, kind=kind, first_response=stats(first_by.get(r, [])), reply=stats(reply_by.get(r, [])),
            unanswered_inbound=int(blame_by[r]) if blame_by.size else 0, chats=int(resp_chats[r]),
            messages=int(resp_msgs[r]), sales_chats=sales, spin_share=shares, plan=A.spin_plan(shares, sales),
        ))

    # ---- chats, channels, overall --------------------------------------------------------------
    reply_counts = _bincount(run_chat[timed], nchat)
    reply_medians = _group_medians(run_chat[timed], durations[timed], nchat)
    converted = np.array([key in report_input.converted for key in cols.keys], dtype=bool)
    buckets = [0] * len(BUCKETS)
    chat_results: list[ChatResult] = []
    zone = period.zone
    for c in np.flatnonzero(active).tolist():
        key = cols.keys[c]
        info = report_input.chats.get(key) or ChatInfo(key)
        sec = None if np.isnan(first_sec[c]) else float(first_sec[c])
        if is_new[c] and sec is not None:
            buckets[next(i for i, (upper, _label) in enumerate(BUCKETS) if sec <= upper)] += 1
        facts = A.ChatFacts(
            customer_messages=int(inbound[c]), shop_messages_after_customer=int(shop_in_window[c]),
            first_response_sec=sec, last_run_unanswered=bool(last_unanswered[c]),
            earlier_run_answered=bool(answered_count[c] > 0),  # the last run is not among them when it matters
            first_shop_messages_ask=bool(first_asks[c]) if shop_inside_count[c] else None,
            asked_to_buy=bool(asked_to_buy[c]), next_step_after_ask=not bool(pending_buy[c]),
        )
        names = sorted((cols.responders[r] for r in chat_responders.get(c, [])), key=lambda x: (x[0] != "bot", x[1]))
        used = 0
        for r in chat_responders.get(c, ()):
            used |= stages_by[(c, r)]
        chat_results.append(ChatResult(
            key=key, name=info.name, phone=info.phone, channel=info.channel, responders=[n for _k, n in names],
            first_response_sec=sec,
            first_responder=cols.responders[first_resp[c]][1] if first_resp[c] >= 0 else None,
            first_message_at=datetime.fromtimestamp(first_at[c], zone) if is_new[c] else None,
            replies=int(reply_counts[c]), reply_median_sec=None if np.isnan(reply_medians[c]) else float(reply_medians[c]),
            inbound=int(inbound[c]), outbound=int(outbound[c]), unanswered_inbound=int(unanswered_chat[c]),
            advice=A.chat_advice(facts, slow_first_reply_sec),
            spin=stage_names(used),
            spin_by_responder={cols.responders[r][1]: stage_names(stages_by[(c, r)]) for r in chat_responders.get(c, [])},
            converted=bool(converted[c]),
            last_message_at=datetime.fromtimestamp(last_at[c], zone) if not np.isnan(last_at[c]) else None,
        ))
    no_answer_new = int((is_new & active & np.isnan(first_sec)).sum())
    channel_of = np.array([(report_input.chats.get(k) or ChatInfo(k)).channel for k in cols.keys], dtype=object)
    arrays = _GroupArrays(active, inbound, outbound, first_sec, customer_chats, answered_chats, unanswered_chat,
                          converted, run_chat[timed], durations[timed])
    overall = arrays.group(active)
    channels = {str(name): arrays.group(active & (channel_of == name)) for name in sorted(set(channel_of[active].tolist()))}
    chat_results.sort(key=lambda c: (-len(c.advice), -(c.last_message_at.timestamp() if c.last_message_at else 0)))
    return Report(
        period=period, work_hours=str(hours), timezone=str(period.zone), slow_first_reply_sec=slow_first_reply_sec,
        generated_at=generated_at or datetime.now(timezone.utc), overall=overall, responders=responders,
        channels=channels, chats=chat_results, days=day_rows,
        buckets=[(label, buckets[i]) for i, (_u, label) in enumerate(BUCKETS)] + [(NO_ANSWER_BUCKET, no_answer_new)],
        handoffs=sum(d.handoffs for d in day_rows), tickets=sum(d.tickets for d in day_rows),
    )


class _GroupArrays:
    """Per-chat arrays that an overall or per-channel `Group` sums over."""

    def __init__(self, active: np.ndarray, inbound: np.ndarray, outbound: np.ndarray, first_sec: np.ndarray,
                 customer_chats: np.ndarray, answered_chats: np.ndarray, unanswered: np.ndarray,
                 converted: np.ndarray, reply_chat: np.ndarray, reply_sec: np.ndarray) -> None:
        self.active, self.inbound, self.outbound, self.first_sec = active, inbound, outbound, first_sec
        self.customer_chats, self.answered_chats, self.unanswered = customer_chats, answered_chats, unanswered
        self.converted, self.reply_chat, self.reply_sec = converted, reply_chat, reply_sec

    def group(self, mask: np.ndarray) -> Group:
        firsts = self.first_sec[mask]
        return Group(
            first_response=stats(firsts[~np.isnan(firsts)]), reply=stats(self.reply_sec[mask[self.reply_chat]]),
            unanswered_inbound=int(self.unanswered[mask].sum()), chats=int(mask.sum()),
            customer_chats=int((self.customer_chats & mask).sum()), answered_chats=int((self.answered_chats & mask).sum()),
            converted_chats=int((self.converted & mask).sum()), inbound=int(self.inbound[mask].sum()),
            outbound=int(self.outbound[mask].sum()),
        )
