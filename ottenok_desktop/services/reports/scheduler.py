"""Scheduled reports: the daily one at the report time (shop clock) for the day before,
the weekly one on Mondays for the week before; saved to `<data dir>/reports/` as JSON,
an Excel workbook and a PNG chart, then handed to every `ReportDelivery` (the Telegram
issue plugs in the owner's chat; nothing is sent when none is configured).

Scheduling follows services/followups.py: APScheduler's `AsyncIOScheduler` arms one
`date` job at the *real* moment the next run falls due (shop time may run faster than
real time in demos), and the job only kicks an owned task, so stopping never cancels a
report half-written. On start, a missed report (the program was off at the report time)
is made a minute after start if its files are absent. A period with no messages writes
nothing. On an accelerated demo clock (`--time-scale`) nothing is scheduled.

The three report settings (on/off, the report time, the slow-first-reply threshold) can
change while the program runs (`apply`, from the settings dialog): the next run is re-armed
at the new time, turning reports off stops the schedule (a report being written finishes),
turning them on again starts it where the runtime had started the scheduler.
"""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Sequence

from ottenok_desktop.engine.analytics import schedule
from ottenok_desktop.engine.analytics import texts as T
from ottenok_desktop.engine.analytics.model import PeriodKind, ReportInput, period_for
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.engine.tasks import TaskOwner, wait_event
from ottenok_desktop.services.storage import Database
from ottenok_desktop.settings import Settings

if TYPE_CHECKING:  # the computing modules (numpy, the workbook) load when a report is made
    from ottenok_desktop.engine.analytics.report import Report

log = logging.getLogger(__name__)
JOB_ID = "reports-due"
FOLDERS = {PeriodKind.DAY: "daily", PeriodKind.WEEK: "weekly", PeriodKind.MONTH: "monthly"}
BUCKET_LABELS = ("1", "5", "15", "60", "240", ">240", "-")
CATCH_UP_DELAY = 60.0  # real seconds after start before a missed report is made


@dataclass(frozen=True)
class ReportOptions:
    """The report settings that may change while the program runs."""

    enabled: bool
    report_time: str  # "HH:MM" shop time, "" = the opening hour
    slow_first_reply_minutes: int

    @classmethod
    def of(cls, settings: Settings) -> "ReportOptions":
        return cls(settings.reports_enabled, settings.report_time, settings.slow_first_reply_minutes)


@dataclass(frozen=True)
class SavedReport:
    kind: str  # day | week
    label: str  # "2026-11-29" or "2026-11-23..2026-11-29"
    text: str  # the Russian headline figures
    caption: str  # what the chart shows (Russian)
    json_path: Path
    xlsx_path: Path
    png_path: Path


class ReportDelivery(Protocol):
    """Somewhere a finished report goes (the owner's Telegram chat, later)."""

    async def deliver(self, report: SavedReport) -> None: ...


def report_paths(reports_dir: Path, kind: PeriodKind, first_day: date) -> tuple[Path, Path, Path]:
    folder = reports_dir / FOLDERS[kind]
    stem = first_day.isoformat()
    return folder / f"{stem}.json", folder / f"{stem}.xlsx", folder / f"{stem}.png"


def chart_png(report: Report) -> bytes:
    from ottenok_desktop.services.reports.chart_png import bar_chart_png

    return bar_chart_png([count for _label, count in report.buckets], BUCKET_LABELS)


def save_report(report: Report, report_input: ReportInput, reports_dir: Path) -> SavedReport:
    """Write the JSON, workbook and chart of a report (blocking: run in an executor)."""
    from ottenok_desktop.engine.analytics.summary import headline_text
    from ottenok_desktop.services.reports.workbook import write_workbook

    json_path, xlsx_path, png_path = report_paths(reports_dir, report.period.kind, report.period.first_day)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(report, xlsx_path, report_input)
    png_path.write_bytes(chart_png(report))
    tmp = json_path.with_suffix(".json.tmp")  # the JSON last and atomically: it marks the report done
    tmp.write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(json_path)
    return SavedReport(report.period.kind.value, report.period.label(), headline_text(report), T.REPORT_CHART_CAPTION,
                       json_path, xlsx_path, png_path)


class ReportScheduler:
    def __init__(self, db: Database, clock: Clock, settings: Settings, executor: Executor,
                 deliveries: Sequence[ReportDelivery] = (), *, catch_up_delay: float = CATCH_UP_DELAY) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._executor = executor
        self.deliveries: list[ReportDelivery] = list(deliveries)
        self.reports_dir = settings.data_dir / "reports"
        self.options = ReportOptions.of(settings)
        self._at = schedule.report_time(settings.report_time, settings.work_hours)
        self._catch_up_delay = catch_up_delay
        self._tasks = TaskOwner("reports")
        self._lock = asyncio.Lock()
        self._scheduler: Any = None
        self._running = False
        self._started = False  # the runtime started us here (this seat runs the channel)
        self._halted = asyncio.Event()  # set when the schedule stops: a waiting catch-up gives up

    @property
    def enabled(self) -> bool:
        return self.options.enabled

    @property
    def running(self) -> bool:
        """Reports are scheduled in this process right now."""
        return self._running

    @property
    def slow_first_reply_sec(self) -> float:
        return self.options.slow_first_reply_minutes * 60.0

    async def apply(self, options: ReportOptions) -> None:
        """New report settings, without a restart (the settings dialog)."""
        self.options = options
        self._at = schedule.report_time(options.report_time, self._settings.work_hours)
        log.info("reports: settings changed (on: %s, time: %s, slow first reply: %d min)", options.enabled,
                 self._at.strftime("%H:%M"), options.slow_first_reply_minutes)
        if not options.enabled:
            self._halt_schedule()
        elif self._running:
            self._arm()  # the next run at the new time
        elif self._started:
            await self._schedule()

    async def start(self) -> None:
        self._started = True
        await self._schedule()

    async def _schedule(self) -> None:
        if self._running or not self.enabled:
            return
        if self._clock.scale != 1.0:
            # a demo clock running days per minute would write a report every few seconds
            log.info("reports: not scheduled on an accelerated shop clock (x%g)", self._clock.scale)
            return
        self._running = True
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self._scheduler = AsyncIOScheduler(timezone=self._clock.zone)
        self._scheduler.start()
        self._halted = asyncio.Event()
        self._tasks.spawn(self._catch_up(self._halted), name="reports-catch-up")
        self._arm()

    def _halt_schedule(self) -> None:
        self._running = False
        self._halted.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None

    async def stop(self) -> None:
        self._started = False
        self._halt_schedule()
        try:
            async with asyncio.timeout(10.0):
                await self._tasks.wait_idle()
        except asyncio.TimeoutError:
            log.warning("reports: a report was still being written at stop")
        await self._tasks.shutdown()

    # ---- making reports ---------------------------------------------------------------
    async def make(self, kind: PeriodKind | str, day: date, *, deliver: bool = True) -> SavedReport | None:
        """Compute and save the report of the period containing `day`; None when the period
        has no messages."""
        from ottenok_desktop.services.reports.loader import load_period_in_steps

        period = period_for(kind, day, self._clock.zone)
        async with self._lock:
            report_input = await load_period_in_steps(self._db, period, self._executor, texts=True)  # the workbook
            if not report_input.chats:
                log.info("reports: no messages in %s %s; nothing saved", period.kind.value, period.label())
                return None
            loop = asyncio.get_running_loop()
            report = await loop.run_in_executor(self._executor, self._compute, report_input)
            saved = await loop.run_in_executor(self._executor, save_report, report, report_input, self.reports_dir)
        log.info("reports: %s report %s saved to %s", saved.kind, saved.label, saved.xlsx_path)
        if deliver:
            for delivery in self.deliveries:
                try:
                    await delivery.deliver(saved)
                except Exception:  # one failing channel does not stop the others
                    log.exception("reports: delivering %s %s through %s failed", saved.kind, saved.label,
                                  type(delivery).__name__)
        return saved

    def _compute(self, report_input: ReportInput) -> Report:
        from ottenok_desktop.engine.analytics.compute import build_report

        return build_report(report_input, self._settings.work_hours, slow_first_reply_sec=self.slow_first_reply_sec)

    async def run_due(self, run_day: date) -> list[SavedReport]:
        """The reports of a run on `run_day` (the scheduler calls this; tests call it directly)."""
        saved = []
        for kind, day in schedule.reports_for_run(run_day):
            result = await self.make(kind, day)
            if result is not None:
                saved.append(result)
        return saved

    async def _catch_up(self, halted: asyncio.Event) -> None:
        # real seconds: start-up and the first turns go first; stopping ends the wait
        if await wait_event(halted, self._catch_up_delay):
            return  # reports were turned off or the program stops
        for kind, day in schedule.latest_due(self._clock.local(), self._at):
            period = period_for(kind, day, self._clock.zone)
            json_path, _x, _p = report_paths(self.reports_dir, kind, period.first_day)
            if json_path.exists():
                continue
            try:
                await self.make(kind, day)
            except Exception:
                log.exception("reports: catching up %s %s failed", kind, day)

    # ---- scheduling ---------------------------------------------------------------------
    def _arm(self) -> None:
        if self._scheduler is None or not self._running:
            return
        due = schedule.next_run(self._clock.local() + timedelta(seconds=1), self._at)
        real_delay = max(0.0, (due - self._clock.now()).total_seconds()) / self._clock.scale
        run_at = datetime.now(self._clock.zone) + timedelta(seconds=real_delay)
        self._scheduler.add_job(self._job, "date", run_date=run_at, args=[due.date()], id=JOB_ID,
                                replace_existing=True, misfire_grace_time=None)

    async def _job(self, run_day: date) -> None:
        """APScheduler job: only kicks an owned task, then arms the next run."""
        if self._running:
            self._tasks.spawn(self._run(run_day), name=f"reports-{run_day}")
        self._arm()

    async def _run(self, run_day: date) -> None:
        try:
            await self.run_due(run_day)
        except Exception:
            log.exception("reports: the scheduled run of %s failed", run_day)
