"""All signal wiring in one place: bridge signals → the views' `on_<event>` slots, and the
views' own signals to each other. Reading this file tells what updates what."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .bridge import Bridge

if TYPE_CHECKING:
    from .demo_client import DemoClientWindow
    from .main_window import MainWindow


def wire(bridge: Bridge, window: "MainWindow") -> None:
    ctx = window.ctx
    # live conversation list and open chat: one coalesced refresh per touched chat
    bridge.chat_touched.connect(window.chat_list.model.on_chat_touched)
    bridge.chat_touched.connect(window.chat_panel.on_chat_touched)
    bridge.bot_draft.connect(window.chat_panel.on_bot_draft)
    # order card and stock
    bridge.order_changed.connect(window.right_panel.on_order_changed)
    bridge.chat_owner_changed.connect(window.right_panel.on_order_changed)
    bridge.stock_loaded.connect(window.inventory_tab.on_stock_loaded)
    bridge.stock_loaded.connect(lambda _e: ctx.run(window.right_panel.refresh(), name="right-panel"))
    # tickets and alerts
    bridge.ticket_changed.connect(window.tickets_tab.on_ticket_changed)
    bridge.ticket_changed.connect(window.alerts.on_chat_changed)
    bridge.handoff_requested.connect(window.alerts.on_chat_changed)
    bridge.chat_owner_changed.connect(window.alerts.on_chat_changed)
    # knowledge
    bridge.knowledge_progress.connect(window.knowledge_tab.on_knowledge_progress)
    bridge.knowledge_built.connect(window.knowledge_tab.on_knowledge_built)
    bridge.knowledge_rejected.connect(window.knowledge_tab.on_knowledge_rejected)
    # follow-ups
    for signal in (bridge.nudge_scheduled, bridge.nudge_sent, bridge.nudge_cancelled):
        signal.connect(window.followups_tab.on_nudge_changed)
        signal.connect(lambda event: window.chat_panel.on_chat_touched(event.chat_id))
    # promotions: announcements' state and progress
    bridge.announcement_changed.connect(window.promotions_tab.on_announcement_changed)
    bridge.announcement_progress.connect(window.promotions_tab.on_announcement_changed)
    # status bar
    bridge.instance_state_changed.connect(window.status.on_instance_state_changed)
    bridge.shared_instance.connect(window.status.on_shared_instance)
    bridge.queue_sizes.connect(window.status.on_queue_sizes)
    bridge.engine_error.connect(window.status.on_engine_error)
    ctx.error.connect(window.status.show_error)

    # view to view
    window.chat_list.chat_selected.connect(window.on_chat_selected)
    window.tickets_tab.open_chat.connect(window.open_chat)
    window.chat_panel.link_bar.open_chat.connect(window.open_chat)
    window.chat_panel.link_bar.link_state.connect(window.right_panel.customer.link_row.show_info)
    window.followups_tab.open_chat.connect(window.open_chat)
    window.reports_tab.open_chat.connect(window.open_chat)
    window.alerts.open_chat.connect(window.open_chat)
    window.alerts.show_window.connect(window.show_and_raise)
    window.alerts.pending_changed.connect(window.on_alerts_pending)
    ctx.manager_changed.connect(lambda _name: window.chat_list.model.reload())
    window.tabs.currentChanged.connect(lambda _i: _refresh_tab(window))
    window._bridge = bridge  # type: ignore[attr-defined]  # kept for wire_demo_client


def _refresh_tab(window: "MainWindow") -> None:
    current = window.tabs.currentWidget()
    refresh: Any = getattr(current, "refresh", None)
    if refresh is not None:
        window.ctx.run(refresh(), name="tab-refresh")


def wire_demo_client(window: "MainWindow", client: "DemoClientWindow") -> None:
    bridge: Bridge = window._bridge  # type: ignore[attr-defined]
    bridge.chat_touched.connect(client.on_chat_touched)


async def initial_load(window: "MainWindow") -> None:
    """Fill the views once at start (later the events keep them current)."""
    window.chat_list.model.reload()
    await window.alerts.refresh()
    await window.tickets_tab.refresh()
    await window.followups_tab.refresh()
    await window.inventory_tab.refresh()
    await window.promotions_tab.refresh()
    if getattr(window.ctx.engine, "knowledge", None) is not None:
        await window.knowledge_tab.refresh()
