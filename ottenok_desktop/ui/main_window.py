"""The main window: conversations | chat | order and customer cards, plus tabs for
Inventory, Knowledge, Follow-ups, Promotions (issue 16), Tickets and Reports, the settings dialog and the status bar.

Drops anywhere on the window are routed by file type (stock `.xlsx`/`.csv` → Inventory,
documents → Knowledge). Closing the window sets `closed` (an asyncio.Event) so `main()`
can stop the engine from the asyncio side (DESIGN.md §4).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QTabWidget, QToolBar, QVBoxLayout, QWidget

from . import strings as S
from .alerts import AlertManager
from .chat_list import ChatListPanel
from .chat_panel import ChatPanel
from .context import Context
from .dropzone import accepts, dropped_paths, kind_of
from .followups_tab import FollowupsTab
from .inventory_tab import InventoryTab
from .knowledge_tab import KnowledgeTab
from .order_card import RightPanel
from .promotions_tab import PromotionsTab
from .reports_tab import ReportsTab
from .resources import app_icon
from .status_bar import ConsoleStatusBar
from .thumbnails import ThumbnailCache
from .tickets_tab import TicketsTab

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, ctx: Context, closed: asyncio.Event | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self.closed = closed or asyncio.Event()
        title = S.APP_TITLE + (S.DEMO_TITLE_SUFFIX if ctx.demo else "")
        self.setWindowTitle(title)
        self.setWindowIcon(app_icon())
        self.resize(1440, 900)
        self.setAcceptDrops(True)
        self.thumbnails = ThumbnailCache(ctx, self)

        # ---- the conversations page: list | chat | cards -------------------------------------
        self.chat_list = ChatListPanel(ctx, self)
        self.chat_panel = ChatPanel(ctx, self.thumbnails, self)
        self.right_panel = RightPanel(ctx, self.chat_panel.send_photo, self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("mainSplitter")
        splitter.addWidget(self.chat_list)
        splitter.addWidget(self.chat_panel)
        splitter.addWidget(self.right_panel)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([400, 700, 340])
        chats_page = QWidget(self)
        cl = QVBoxLayout(chats_page)
        cl.setContentsMargins(8, 8, 8, 8)
        if ctx.demo:
            banner = QLabel(S.DEMO_BANNER, chats_page)
            banner.setObjectName("demoBanner")
            banner.setWordWrap(True)
            cl.addWidget(banner)
        cl.addWidget(splitter, 1)

        self.inventory_tab = InventoryTab(ctx, self)
        self.knowledge_tab = KnowledgeTab(ctx, self)
        self.followups_tab = FollowupsTab(ctx, self)
        self.tickets_tab = TicketsTab(ctx, self)
        self.reports_tab = ReportsTab(ctx, self)
        self.promotions_tab = PromotionsTab(ctx, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(chats_page, S.TAB_CHATS)
        self.tabs.addTab(self.tickets_tab, S.TAB_TICKETS)
        self.tabs.addTab(self.inventory_tab, S.TAB_INVENTORY)
        self.tabs.addTab(self.knowledge_tab, S.TAB_KNOWLEDGE)
        self.tabs.addTab(self.followups_tab, S.TAB_FOLLOWUPS)
        self.tabs.addTab(self.promotions_tab, S.TAB_PROMOTIONS)
        self.tabs.addTab(self.reports_tab, S.TAB_REPORTS)
        self.setCentralWidget(self.tabs)

        self.status = ConsoleStatusBar(ctx.engine, ctx.demo, self)
        self.setStatusBar(self.status)
        self.alerts = AlertManager(ctx, app_icon(), self)
        self.demo_client: Any = None
        self._build_toolbar()

    def _build_toolbar(self) -> None:
        bar = QToolBar(self)
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.take_action = QAction(S.TAKE_OVER, self)
        self.take_action.setShortcut(QKeySequence("Ctrl+T"))
        self.take_action.triggered.connect(self.chat_panel.take_over)
        self.return_action = QAction(S.RETURN_TO_BOT, self)
        self.return_action.setShortcut(QKeySequence("Ctrl+R"))
        self.return_action.triggered.connect(self.chat_panel.return_to_bot)
        # the buttons live in the chat header; the actions give the shortcuts window-wide
        self.addAction(self.take_action)
        self.addAction(self.return_action)
        settings = QAction(S.ACTION_SETTINGS, self)
        settings.setShortcut(QKeySequence("Ctrl+,"))
        settings.triggered.connect(self.open_settings)
        bar.addAction(settings)
        if self.ctx.demo:
            demo = QAction(S.ACTION_DEMO_CLIENT, self)
            demo.triggered.connect(self.open_demo_client)
            bar.addAction(demo)
        self.alerts_label = QLabel("", self)
        self.alerts_label.setObjectName("alertsLabel")
        bar.addWidget(self.alerts_label)

    # ---- actions ---------------------------------------------------------------------------------
    def open_chat(self, chat_id: str) -> None:
        """Show a chat (from the list, a ticket, an alert or a follow-up)."""
        self.tabs.setCurrentIndex(0)
        if self.chat_panel.chat_id != chat_id:
            self.chat_list.select_chat(chat_id)

    def on_chat_selected(self, chat_id: str) -> None:
        self.chat_panel.open_chat(chat_id)
        self.right_panel.open_chat(chat_id)

    def open_settings(self) -> Any:
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ctx, self)
        dialog.open()
        return dialog

    def open_demo_client(self) -> Any:
        if self.demo_client is None:
            from .demo_client import DemoClientWindow

            self.demo_client = DemoClientWindow(self.ctx, self.thumbnails)
            from .wiring import wire_demo_client

            wire_demo_client(self, self.demo_client)
        self.demo_client.show()
        self.demo_client.raise_()
        return self.demo_client

    def on_alerts_pending(self, count: int) -> None:
        self.alerts_label.setText(f"  ⚠ {S.ALERT_SUMMARY.format(count=count)}" if count else "")

    def show_and_raise(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    # ---- drag and drop anywhere on the window -------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if accepts(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event.mimeData())
        stock = [p for p in paths if kind_of(p) == "stock"]
        docs = [p for p in paths if kind_of(p) == "knowledge"]
        if not stock and not docs:
            self.status.show_error(S.DROP_UNKNOWN)
            event.ignore()
            return
        event.acceptProposedAction()
        if stock:
            self.tabs.setCurrentWidget(self.inventory_tab)
            self.inventory_tab.load_file(stock[0])
        if docs:
            if not stock:
                self.tabs.setCurrentWidget(self.knowledge_tab)
            self.knowledge_tab.add_files(docs)

    # ---- shutdown --------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.alerts.stop()
        if self.demo_client is not None:
            self.demo_client.hide()
        self.closed.set()
        event.accept()
