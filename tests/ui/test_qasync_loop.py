"""Guard for the PySide6 6.12 + Python 3.11 crash under qasync (DESIGN.md §4): spin the
loop for thousands of iterations of timers, Qt signals and asyncio callbacks. On an
affected PySide6 the process dies with `Fatal Python error: none_dealloc`."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject, QTimer, Signal


class Pinger(QObject):
    ping = Signal(object)


async def test_loop_survives_thousands_of_timer_and_signal_callbacks() -> None:
    pinger = Pinger()
    received: list[object] = []
    pinger.ping.connect(received.append)
    ticks = 0

    def on_timeout() -> None:
        nonlocal ticks
        ticks += 1
        pinger.ping.emit(None)  # None and True through signals were what leaked
        pinger.ping.emit(True)

    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(on_timeout)
    timer.start()
    loop = asyncio.get_running_loop()
    for i in range(6000):
        fut = loop.create_future()
        loop.call_soon(fut.set_result, None if i % 2 else True)
        await fut
        if i % 500 == 0:
            await asyncio.sleep(0.001)
    timer.stop()
    assert ticks > 100
    assert len(received) == 2 * ticks
