"""Database tables. Plain peewee types only (no SQLite-only features) so PostgreSQL can
serve several consoles later. Times are stored as naive UTC and returned as aware UTC.

`ThreadSafeDatabaseMetadata` makes the model→database binding thread-local: each
`Database` binds the models on its own DB thread, so two databases can live in one
process (tests) without stepping on each other.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import peewee as pw
from playhouse.shortcuts import ThreadSafeDatabaseMetadata


class UtcDateTimeField(pw.DateTimeField):
    def db_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class BaseModel(pw.Model):
    class Meta:
        model_metadata_class = ThreadSafeDatabaseMetadata
        legacy_table_names = False


class SchemaVersion(BaseModel):
    version = pw.IntegerField(primary_key=True)
    name = pw.CharField(max_length=200)
    applied_at = UtcDateTimeField()


class Chat(BaseModel):
    chat_id = pw.CharField(max_length=64, unique=True)  # "77011234567@c.us"
    phone = pw.CharField(max_length=32, index=True)
    name = pw.CharField(max_length=200, default="")
    channel = pw.CharField(max_length=32, default="whatsapp")
    owner = pw.CharField(max_length=16, default="bot")  # bot | manager
    owner_name = pw.CharField(max_length=100, default="")
    owner_since = UtcDateTimeField(null=True)
    needs_human = pw.BooleanField(default=False, index=True)
    handoff_reason = pw.CharField(max_length=200, default="")
    closed = pw.BooleanField(default=False)
    opted_out = pw.BooleanField(default=False)
    last_inbound_at = UtcDateTimeField(null=True)
    last_outbound_at = UtcDateTimeField(null=True)
    last_bot_at = UtcDateTimeField(null=True)
    waiting_since = UtcDateTimeField(null=True, index=True)  # first unanswered customer message
    unanswered = pw.IntegerField(default=0)
    last_text = pw.CharField(max_length=300, default="")
    state_json = pw.TextField(default="{}")  # dialogue state owned by the engine
    # a SQL default too: rows written by older versions or other tools need no value
    language = pw.CharField(max_length=8, default="", constraints=[pw.SQL("DEFAULT ''")])  # "" / kk / mixed: the console's «қазақша» badge (issue 17)
    # promotions consent (issue 16): opt-in time and source (customer | manager:<name>); an
    # opt-out (here or Chat.opted_out) wins for good
    promo_opt_in_at = UtcDateTimeField(null=True)
    promo_opt_in_source = pw.CharField(max_length=64, default="", constraints=[pw.SQL("DEFAULT ''")])
    promo_opt_out_at = UtcDateTimeField(null=True)
    promo_opt_out_source = pw.CharField(max_length=64, default="", constraints=[pw.SQL("DEFAULT ''")])
    # the same customer's chat on the other channel, linked by a manager (issue 15; both rows point
    # at each other; storage/links.py)
    linked_chat_id = pw.CharField(max_length=64, default="", constraints=[pw.SQL("DEFAULT ''")])
    # the partner code this person gave: typed in this chat, or in the linked chat and carried
    # over (storage/links.py; migration 11). Whether it still makes a partner is partners.xlsx's say.
    partner_code = pw.CharField(max_length=32, default="", constraints=[pw.SQL("DEFAULT ''")])
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField(index=True)


class Message(BaseModel):
    chat = pw.ForeignKeyField(Chat, backref="messages", on_delete="CASCADE")
    direction = pw.CharField(max_length=8)  # in | out
    sender_kind = pw.CharField(max_length=16)  # customer | bot | manager_app | manager_phone | system
    sender_name = pw.CharField(max_length=200, default="")
    text = pw.TextField(default="")
    content_type = pw.CharField(max_length=32, default="text")
    media_url = pw.TextField(default="")
    media_name = pw.CharField(max_length=300, default="")
    media_mime = pw.CharField(max_length=100, default="")
    external_id = pw.CharField(max_length=128, null=True, index=True)
    quoted_external_id = pw.CharField(max_length=128, null=True)
    status = pw.CharField(max_length=16, default="")  # queued | sent | delivered | read | failed | noAccount
    status_detail = pw.CharField(max_length=300, default="")
    edited = pw.BooleanField(default=False)
    deleted = pw.BooleanField(default=False)
    turn_state = pw.CharField(max_length=16, default="")  # customer text: pending | answered | skipped
    created_at = UtcDateTimeField()
    # what reports need from the text (engine/analytics/facts.py): version * 256 + bits;
    # NULL = not computed yet (storage/text_facts.py fills it in; migration v7)
    text_facts = pw.IntegerField(null=True)

    class Meta:
        indexes = (
            (("chat", "external_id"), True), (("chat", "created_at"), False), (("turn_state",), False),
            (("created_at", "chat"), False),  # reports: the chats active in a period (migration v2)
        )


class InboxItem(BaseModel):
    receipt_id = pw.BigIntegerField(null=True)
    type_webhook = pw.CharField(max_length=64, default="")
    dedupe_key = pw.CharField(max_length=300, null=True, unique=True)
    chat_id = pw.CharField(max_length=64, default="")
    external_id = pw.CharField(max_length=128, default="", index=True)  # idMessage (statuses wait on it)
    raw = pw.TextField()
    state = pw.CharField(max_length=16, default="new", index=True)  # new | done | deferred | poison | ignored
    error = pw.TextField(default="")
    received_at = UtcDateTimeField()


class OutboxItem(BaseModel):
    chat = pw.ForeignKeyField(Chat, backref="outbox", on_delete="CASCADE")
    message = pw.ForeignKeyField(Message, null=True, on_delete="SET NULL")
    kind = pw.CharField(max_length=16, default="text")  # text | file_upload | file_url
    text = pw.TextField(default="")
    file_path = pw.TextField(default="")
    file_url = pw.TextField(default="")
    file_name = pw.CharField(max_length=300, default="")
    sender_kind = pw.CharField(max_length=16, default="bot")
    sender_name = pw.CharField(max_length=200, default="")
    state = pw.CharField(max_length=16, default="pending", index=True)
    # pending | sending | unknown (timed out, to reconcile) | sent | failed | dropped
    attempts = pw.IntegerField(default=0)
    last_error = pw.TextField(default="")
    next_attempt_at = UtcDateTimeField(null=True)
    external_id = pw.CharField(max_length=128, null=True, index=True)
    created_at = UtcDateTimeField()
    sent_at = UtcDateTimeField(null=True)


class Order(BaseModel):
    chat = pw.ForeignKeyField(Chat, backref="orders", on_delete="CASCADE")
    state = pw.CharField(max_length=16, default="draft", index=True)  # draft | ready | confirmed | cancelled
    product = pw.CharField(max_length=300, default="")
    sku = pw.CharField(max_length=100, default="")
    product_type = pw.CharField(max_length=16, default="")  # shoes | bag | accessory | other
    size = pw.CharField(max_length=16, default="")
    color = pw.CharField(max_length=64, default="")
    city = pw.CharField(max_length=100, default="")
    address = pw.TextField(default="")
    customer_name = pw.CharField(max_length=200, default="")
    price = pw.DecimalField(max_digits=12, decimal_places=2, null=True)
    quantity = pw.IntegerField(default=1)
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()
    confirmed_at = UtcDateTimeField(null=True)
    # the promised price kept at confirmation (issue 16, migration 10): the stock file's price,
    # and which discount gave `price` — "" | promotion | partner, its id/code and its name
    regular_price = pw.DecimalField(max_digits=12, decimal_places=2, null=True)
    discount_kind = pw.CharField(max_length=16, default="")
    discount_ref = pw.CharField(max_length=64, default="")
    discount_label = pw.CharField(max_length=200, default="")


class Reservation(BaseModel):
    order = pw.ForeignKeyField(Order, backref="reservations", on_delete="CASCADE")
    item_key = pw.CharField(max_length=400, index=True)  # normalised product|size|color
    quantity = pw.IntegerField(default=1)
    stock_version = pw.CharField(max_length=64, default="")  # released when a new stock file arrives
    active = pw.BooleanField(default=True, index=True)
    created_at = UtcDateTimeField()


class Ticket(BaseModel):
    chat = pw.ForeignKeyField(Chat, backref="tickets", on_delete="CASCADE")
    kind = pw.CharField(max_length=16)  # warranty | return | other
    status = pw.CharField(max_length=16, default="WAITING", index=True)  # WAITING | ASSIGNED | CLOSED
    summary = pw.TextField(default="")
    details_json = pw.TextField(default="{}")  # collected answers, attachment message ids
    manager = pw.CharField(max_length=100, default="")
    partner = pw.BooleanField(default=False)  # opened by a recognised partner (issue 16, migration 10)
    created_at = UtcDateTimeField()
    assigned_at = UtcDateTimeField(null=True)
    closed_at = UtcDateTimeField(null=True)


class Nudge(BaseModel):
    chat = pw.ForeignKeyField(Chat, backref="nudges", on_delete="CASCADE")
    cycle_start = UtcDateTimeField()  # the bot message the silence is counted from
    number = pw.IntegerField()  # 1 | 2
    due_at = UtcDateTimeField(index=True)
    state = pw.CharField(max_length=16, default="scheduled", index=True)  # scheduled | sending | sent | cancelled
    reason = pw.CharField(max_length=200, default="")
    sent_at = UtcDateTimeField(null=True)

    class Meta:
        indexes = ((("chat", "cycle_start", "number"), True),)


class PhotoSent(BaseModel):
    chat = pw.ForeignKeyField(Chat, backref="photos_sent", on_delete="CASCADE")
    photo_key = pw.CharField(max_length=400)
    sent_at = UtcDateTimeField()

    class Meta:
        indexes = ((("chat", "photo_key"), True),)


class AuditLog(BaseModel):
    at = UtcDateTimeField(index=True)
    actor = pw.CharField(max_length=100)  # a manager's name, "bot", "engine", "phone"
    action = pw.CharField(max_length=64)
    entity = pw.CharField(max_length=32)
    entity_id = pw.CharField(max_length=64, default="")
    details_json = pw.TextField(default="{}")


class TelegramUpdate(BaseModel):
    """The Telegram inbox: each update stored (keyed by update_id) before it is processed."""

    update_id = pw.BigIntegerField(primary_key=True)
    kind = pw.CharField(max_length=32, default="")  # message | callback_query | other
    raw = pw.TextField()
    state = pw.CharField(max_length=16, default="new", index=True)  # new | done | ignored | poison
    error = pw.TextField(default="")
    received_at = UtcDateTimeField()


class ChannelCursor(BaseModel):
    """A channel's read position, e.g. the Telegram getUpdates offset ("telegram.offset")."""

    name = pw.CharField(max_length=64, primary_key=True)
    value = pw.BigIntegerField(default=0)
    updated_at = UtcDateTimeField()


class TelegramCard(BaseModel):
    """A ticket's card in the operators' group and the Telegram operator serving it."""

    ticket = pw.ForeignKeyField(Ticket, primary_key=True, backref="telegram_card", on_delete="CASCADE")
    group_chat_id = pw.BigIntegerField()
    card_message_id = pw.BigIntegerField(null=True)
    operator_id = pw.BigIntegerField(null=True, index=True)
    operator_name = pw.CharField(max_length=100, default="")
    state = pw.CharField(max_length=16, default="posted", index=True)  # posting | posted | taken | closed
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()
class Seat(BaseModel):
    """A running program (console or --headless) sharing this database: one row per seat."""

    seat_id = pw.CharField(max_length=100, primary_key=True)  # stable per PC (OTTENOK_SEAT_ID, default the host name)
    manager = pw.CharField(max_length=100, default="")
    role = pw.CharField(max_length=20, default="leader-capable")  # leader-capable | console-only
    host = pw.CharField(max_length=200, default="")
    instance = pw.CharField(max_length=64, default="")  # this run of the program (a restart is a new instance)
    started_at = UtcDateTimeField()
    last_seen = UtcDateTimeField(index=True)


class EngineLease(BaseModel):
    """The one row (id 1) saying which program instance runs the bot engine, until when,
    and the fencing epoch that grows by one at every change of holder."""

    id = pw.IntegerField(primary_key=True)
    holder_seat = pw.CharField(max_length=100, default="")
    holder_instance = pw.CharField(max_length=64, default="")
    epoch = pw.BigIntegerField(default=0)
    expires_at = UtcDateTimeField(null=True)
    acquired_at = UtcDateTimeField(null=True)


class Announcement(BaseModel):
    """An announcement of a promotion (issue 16): its text, up to 3 photos, and where the
    paced send stands (engine/states.AnnouncementState)."""

    promotion_id = pw.CharField(max_length=32, index=True)
    title = pw.CharField(max_length=300, default="")  # the promotion's title when it was composed
    text = pw.TextField(default="")
    photos_json = pw.TextField(default="[]")  # up to 3 file paths
    state = pw.CharField(max_length=16, default="draft", index=True)
    channel = pw.CharField(max_length=32, default="whatsapp")
    created_by = pw.CharField(max_length=100, default="")
    pause_reason = pw.CharField(max_length=32, default="")  # "" | manager | failures
    pause_detail = pw.CharField(max_length=300, default="")  # the last send error (English) or who paused
    created_at = UtcDateTimeField()
    started_at = UtcDateTimeField(null=True)
    resumed_at = UtcDateTimeField(null=True)  # the failure check looks only at sends since then
    finished_at = UtcDateTimeField(null=True)
    updated_at = UtcDateTimeField()


class AnnouncementRecipient(BaseModel):
    """One chat of an announcement, fixed when it starts; queued into the outbox at most once
    (the UNIQUE (announcement, chat) index and the state flip in the queuing transaction)."""

    announcement = pw.ForeignKeyField(Announcement, backref="recipients", on_delete="CASCADE")
    chat = pw.ForeignKeyField(Chat, on_delete="CASCADE")
    position = pw.IntegerField()
    state = pw.CharField(max_length=16, default="waiting", index=True)  # waiting | queued | skipped
    outbox_id = pw.IntegerField(null=True)  # the first outbox row (text, or the first photo with the text)
    last_outbox_id = pw.IntegerField(null=True)
    queued_at = UtcDateTimeField(null=True)

    class Meta:
        indexes = ((("announcement", "chat"), True), (("announcement", "position"), False))


class LinkOfferDismissal(BaseModel):
    """«Не связывать»: a manager said two chats of the same phone on two channels are not to be
    offered for linking again (storage/links.py; migration 11). The pair is kept in chat-id order
    so either chat finds it; linking the pair by hand later removes it."""

    chat_a = pw.CharField(max_length=64)  # the smaller chat id of the pair
    chat_b = pw.CharField(max_length=64)
    dismissed_by = pw.CharField(max_length=100, default="")
    dismissed_at = UtcDateTimeField()

    class Meta:
        table_name = "link_offer_dismissal"
        indexes = ((("chat_a", "chat_b"), True), (("chat_b",), False))


ALL_MODELS: tuple[type[BaseModel], ...] = (
    SchemaVersion, Chat, Message, InboxItem, OutboxItem, Order, Reservation, Ticket, Nudge, PhotoSent, AuditLog,
    TelegramUpdate, ChannelCursor, TelegramCard, Seat, EngineLease, Announcement, AnnouncementRecipient,
    LinkOfferDismissal,
)
