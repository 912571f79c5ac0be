"""The Knowledge tab: documents and their status, drop `.docx`/`.txt`/WhatsApp exports to
add them (a progress bar follows the build), and a test box showing what the bot would
retrieve and answer for a customer question."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton,
    QSplitter, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget,
)

from ..engine import events as ev
from . import strings as S
from .context import Context, call_service
from .dropzone import dropped_paths, kind_of

log = logging.getLogger(__name__)


class KnowledgeTab(QWidget):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        hint = QLabel(S.KNOWLEDGE_DROP_HINT, self)
        hint.setObjectName("dropHint")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(hint)
        bar = QHBoxLayout()
        self.add_button = QPushButton(S.KNOWLEDGE_ADD, self)
        self.add_button.clicked.connect(self._choose)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.status = QLabel("", self)
        self.status.setObjectName("formMessage")
        self.status.setWordWrap(True)
        bar.addWidget(self.add_button)
        bar.addWidget(self.progress, 1)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.table = QTableWidget(0, len(S.KNOWLEDGE_COLUMNS), splitter)
        self.table.setHorizontalHeaderLabels(list(S.KNOWLEDGE_COLUMNS))
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        test = QGroupBox(S.KNOWLEDGE_TEST_TITLE, splitter)
        tl = QVBoxLayout(test)
        row = QHBoxLayout()
        self.question = QLineEdit(test)
        self.question.setPlaceholderText(S.KNOWLEDGE_TEST_PLACEHOLDER)
        self.question.returnPressed.connect(self.run_test)
        self.test_button = QPushButton(S.KNOWLEDGE_TEST_RUN, test)
        self.test_button.clicked.connect(self.run_test)
        row.addWidget(self.question, 1)
        row.addWidget(self.test_button)
        tl.addLayout(row)
        self.results = QTextBrowser(test)
        tl.addWidget(self.results, 1)
        splitter.addWidget(self.table)
        splitter.addWidget(test)
        layout.addWidget(splitter, 1)

    @property
    def knowledge(self) -> Any:
        return getattr(self.ctx.engine, "knowledge", None)

    async def refresh(self) -> None:
        kb = self.knowledge
        if kb is None:
            self.status.setText(S.KNOWLEDGE_ANSWER_UNAVAILABLE.format(reason="—"))
            return
        documents = await call_service(self.ctx, kb.documents)
        self.table.setRowCount(len(documents))
        for i, doc in enumerate(documents):
            ok = getattr(doc, "status", "ok") == "ok"
            status = "✓" if ok else f"✗ {getattr(doc, 'error_ru', '') or getattr(doc, 'error', '')}"
            if ok and getattr(doc, "warning", ""):
                status = f"✓ {doc.warning}"
            path = Path(str(doc.file))
            modified = ""
            full = path if path.is_absolute() else self.ctx.engine.settings.knowledge_dir / path
            if full.exists():
                from datetime import datetime, timezone

                modified = self.ctx.engine.clock.local(datetime.fromtimestamp(full.stat().st_mtime, timezone.utc)).strftime("%d.%m.%Y %H:%M")
            for j, value in enumerate((path.name, str(getattr(doc, "kind", "")), str(getattr(doc, "chunks", "")), status, modified)):
                self.table.setItem(i, j, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    # ---- adding documents ---------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(kind_of(p) == "knowledge" for p in dropped_paths(event.mimeData())):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [p for p in dropped_paths(event.mimeData()) if kind_of(p) == "knowledge"]
        if paths:
            event.acceptProposedAction()
            self.add_files(paths)
        else:
            event.ignore()

    def _choose(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, S.KNOWLEDGE_ADD, "", "Документы (*.docx *.txt *.md *.zip)")
        if names:
            self.add_files([Path(n) for n in names])

    def add_files(self, paths: list[Path]) -> None:
        accepted = [p for p in paths if kind_of(p) == "knowledge"]
        if not accepted:
            self.status.setText(S.KNOWLEDGE_WRONG_TYPE)
            return
        self.ctx.run(self._add(accepted), name="knowledge-add")

    async def _add(self, paths: list[Path]) -> None:
        kb = self.knowledge
        if kb is None:
            return
        self.progress.setRange(0, 0)
        self.progress.show()
        self.add_button.setEnabled(False)
        try:
            for path in paths:
                report = await call_service(self.ctx, kb.add_file, path)
                if not getattr(report, "ok", True):
                    reasons = "; ".join(reason for _f, reason in getattr(report, "errors", ())) or "—"
                    self.status.setText(S.KNOWLEDGE_REJECTED.format(name=path.name, reason=reasons))
                else:
                    self.status.setText(S.KNOWLEDGE_BUILT.format(files=report.files, chunks=report.chunks, seconds=report.seconds))
        finally:
            self.progress.hide()
            self.add_button.setEnabled(True)
            await self.refresh()

    def on_knowledge_progress(self, event: ev.KnowledgeProgress) -> None:
        self.progress.show()
        self.progress.setRange(0, max(1, event.files_total))
        self.progress.setValue(event.files_done)
        self.progress.setFormat(f"{S.KNOWLEDGE_PROGRESS.get(event.phase, event.phase)}: %v / %m")

    def on_knowledge_built(self, event: ev.KnowledgeBuilt) -> None:
        self.progress.hide()
        self.status.setText(S.KNOWLEDGE_BUILT.format(files=event.files, chunks=event.chunks, seconds=event.seconds))
        self.ctx.run(self.refresh(), name="knowledge-refresh")

    def on_knowledge_rejected(self, event: ev.KnowledgeRejected) -> None:
        self.progress.hide()
        self.status.setText(S.KNOWLEDGE_REJECTED.format(name=Path(event.path).name, reason=event.reason))

    # ---- test box ------------------------------------------------------------------------------
    def run_test(self) -> None:
        question = self.question.text().strip()
        if question and self.knowledge is not None:
            self.ctx.run(self._test(question), name="knowledge-test")

    async def _test(self, question: str) -> None:
        from html import escape

        hits = await call_service(self.ctx, self.knowledge.search, question, 5)
        parts = [f"<h4>{S.KNOWLEDGE_HITS}</h4>"]
        if not hits:
            parts.append(f"<p>{S.KNOWLEDGE_NO_HITS}</p>")
        for hit in hits:
            source = Path(str(getattr(hit, "source", ""))).name
            section = getattr(hit, "section", "")
            parts.append(
                f"<p><b>{escape(source)}</b> {escape(section)} <small>({getattr(hit, 'score', 0):.3f})</small><br>"
                f"{escape(str(getattr(hit, 'text', ''))[:400])}</p>"
            )
        parts.append(f"<h4>{S.KNOWLEDGE_ANSWER}</h4>")
        parts.append(f"<p>{escape(await self._bot_answer(question))}</p>")
        self.results.setHtml("".join(parts))

    async def _bot_answer(self, question: str) -> str:
        """The real responder's answer to `question` as a first message; `preview` writes and announces nothing."""
        responder = getattr(self.ctx.engine, "responder", None)
        preview = getattr(responder, "preview", None)
        if preview is None:
            return S.KNOWLEDGE_ANSWER_UNAVAILABLE.format(reason="—")
        try:
            reply = await preview(question)
        except Exception as exc:  # the test box must show why, not crash
            log.warning("knowledge test answer failed: %s", type(exc).__name__)
            return S.KNOWLEDGE_ANSWER_UNAVAILABLE.format(reason=type(exc).__name__)
        texts = [p.text for p in reply.parts if p.text] or [reply.draft]
        return "\n".join(t.replace("|||", "\n") for t in texts if t)
