"""Sending an outbox row through another channel's adapter, with the sender's bookkeeping.

The GREEN-API sender claims rows in order per chat for every chat; for a chat of another
channel (see engine/channels.py) it calls `deliver_via`, which asks the adapter to send
and turns the adapter's answer into the sender's usual steps: record the send, retry
later (honouring a rate limit's wait), fail for good, or — for a send that may or may not
have gone — follow the adapter's `resend_unconfirmed` rule. Returns what `_deliver`
returns: True when the row is settled, False when it waits for a retry. On a leading
seat the engine lease is checked right before the adapter sends (services/send_fence.py).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ottenok_desktop.engine.channels import ChannelAdapter, RetryLater, SendRejected, SendUnconfirmed
from ottenok_desktop.services.send_fence import SendRefused
from ottenok_desktop.services.storage import outbox as ob

if TYPE_CHECKING:
    from ottenok_desktop.services.greenapi.sender import Sender

log = logging.getLogger(__name__)

UNCONFIRMED = "unconfirmed: the send may have reached {channel}; not repeated (it has no journal to check)"


async def deliver_via(sender: "Sender", adapter: ChannelAdapter, job: ob.SendJob) -> bool:
    if job.state == "unknown" and not adapter.resend_unconfirmed:
        # An earlier attempt died mid-send (a crash or a lost answer): it may have gone.
        await sender._fail(job, UNCONFIRMED.format(channel=adapter.name))
        return True
    try:
        sender._confirm(await sender._window())
        external_id = await adapter.send(job)
    except asyncio.CancelledError:
        raise
    except SendRefused as exc:
        await sender._unclaim(job, exc)
        return False
    except RetryLater as exc:
        await sender._retry(job, str(exc), minimum=exc.after)
        return False
    except SendRejected as exc:
        await sender._fail(job, str(exc))
        return True
    except SendUnconfirmed as exc:
        if adapter.resend_unconfirmed:
            await sender._retry(job, str(exc))
            return False
        await sender._fail(job, f"{UNCONFIRMED.format(channel=adapter.name)} ({exc})")
        return True
    except OSError as exc:  # a photo file vanished: nothing to retry
        await sender._fail(job, f"file error: {exc}")
        return True
    await sender._record_sent(job, external_id)
    return True
