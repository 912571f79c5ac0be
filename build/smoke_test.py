"""`make package-test`: check the built folder works, and measure it against the source.

Runs the packaged program the way the shop and CI do — offscreen, on fresh temporary
data dirs, with no WhatsApp/OpenAI settings — and checks:

  layout     both executables, data/, resources/, tzdata, drive.v3.json (and only it)
  version    `--version` prints the package version
  self-test  `--self-test` exits 0 (every subsystem on the sample shop, one customer turn)
  knowledge  `kb build` + `kb search --json` on a Cyrillic+Kazakh data dir
             (…/Әйгерім/Оттенок): Chroma vectors rank the results, not only the lexical
             index (a narrow-string path in hnswlib would silently lose them on Windows)
  inventory  `inventory find --json` answers from the bundled stock file, on that path too
  utf-8      output is UTF-8 without PYTHONIOENCODING/PYTHONUTF8 (the spec's `X utf8`);
             the headless log says utf8_mode=1
  headless   `--headless --demo` prints READY and stops cleanly (exit code 0) on SIGINT and
             SIGTERM (Linux/macOS) or Ctrl+Break (Windows)
  crash      a start that fails (data dir is a file) exits with code 70 and a crash log
             within the timeout: no dialog, no hang
  data dir   (Windows) data an older version left in %APPDATA%\\Ottenok moves to
             %LOCALAPPDATA%\\Ottenok at the first start, with a dated backup
  data dir   without --data-dir the database goes to the per-user data dir, a second
             start reopens it (no migration, no backup needed), and the install
             folder is never written to
  libraries  (Linux) no kept library needs a Qt library the trimming dropped

and measures, packaged against `python -m ottenok_desktop` in the same run: the
self-test time, the time from process start to the console window shown, and the
time to headless READY. Prints a table with ratios, writes `dist/Ottenok-smoke.json`,
and exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_DIR = ROOT / "dist" / "Ottenok"
REPORT = ROOT / "dist" / "Ottenok-smoke.json"
IS_WINDOWS = sys.platform == "win32"
EXE_SUFFIX = ".exe" if IS_WINDOWS else ""

sys.path.insert(0, str(ROOT / "build"))
from version_info import read_version  # build/ is not a package: found through sys.path

# Settings the developer's environment may carry; the smoke test runs the demo shop.
SCRUBBED_ENV = (
    # UTF-8 must come from the build itself (X utf8, reconfigure at entry), not from here.
    "PYTHONIOENCODING", "PYTHONUTF8",
    "GREEN_API_INSTANCE_ID", "GREEN_API_TOKEN", "GREEN_API_URL", "GREEN_API_MEDIA_URL",
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_EMBEDDING_MODEL",
    "GOOGLE_DRIVE_PHOTOS_FOLDER_ID", "GOOGLE_CREDENTIALS_FILE", "INVENTORY_EXCEL_PATH",
    "KNOWLEDGE_BASE_DIR", "PHOTOS_DIR", "OTTENOK_DATA_DIR",
)
# When the console's window is on screen, in the order they are logged: an explicit
# "window shown" line if the console writes one; otherwise the first line the engine
# logs after `window.show()` (opening a fresh database), which bounds it from above.
WINDOW_MARKERS = (
    (re.compile(r"window shown", re.IGNORECASE), "start → window shown"),
    (re.compile(r"database migrated to v\d+"), "start → window shown (upper bound)"),
)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Runner:
    """How to start the program: the packaged binary or the source tree."""

    label: str
    command: list[str]
    gui_command: list[str]
    extra_env: dict[str, str] = field(default_factory=dict)


def packaged_runner(app_dir: Path) -> Runner:
    return Runner(
        "packaged",
        [str(app_dir / f"ottenok-cli{EXE_SUFFIX}")],
        [str(app_dir / f"Ottenok{EXE_SUFFIX}")],
    )


def source_runner() -> Runner:
    command = [sys.executable, "-m", "ottenok_desktop"]
    return Runner("source", command, command, {"PYTHONPATH": str(ROOT)})


def base_env(runner: Runner, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["CI"] = env.get("CI", "1")  # a crash must never wait for a dialog
    env.update(runner.extra_env)
    env.update(extra)
    return env


def run(command: list[str], env: dict[str, str], cwd: Path, timeout: float) -> tuple[int, float, str, str]:
    """Output is decoded strictly as UTF-8: anything else (cp1251/cp1252) fails the check."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(command, env=env, cwd=cwd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        return -1, time.perf_counter() - started, "", f"timed out after {timeout:.0f} s: {exc}"
    seconds = time.perf_counter() - started
    try:
        return proc.returncode, seconds, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    except UnicodeDecodeError as exc:
        return -2, seconds, "", f"output is not UTF-8 ({exc})"


class LineWatcher:
    """Collects a process's output lines with their arrival time, on a thread."""

    def __init__(self, stream: object, started: float) -> None:
        self.lines: list[tuple[float, str]] = []
        self._started = started
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            with self._lock:
                self.lines.append((time.perf_counter() - self._started, line.rstrip("\n")))

    def first(self, pattern: re.Pattern[str]) -> float | None:
        with self._lock:
            return next((t for t, line in self.lines if pattern.search(line)), None)

    def text(self) -> str:
        with self._lock:
            return "\n".join(line for _, line in self.lines)


def wait_until(predicate: Callable[[], float | None], proc: subprocess.Popen[str], timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found is not None:
            return found
        if proc.poll() is not None:
            return predicate()
        time.sleep(0.02)
    return None


# Windows: a child in its own process group can be sent Ctrl+Break (SIGBREAK).
NEW_GROUP = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if IS_WINDOWS else {}


def stop(proc: subprocess.Popen[str], gracefully: bool, timeout: float = 30, how: str = "SIGINT") -> int | None:
    """Ask it to stop the way a user or the OS would, and wait; kill if it does not stop in time.

    POSIX: SIGINT (Ctrl+C) or SIGTERM (service manager, shutdown). Windows: Ctrl+Break
    (the process must have been started with NEW_GROUP), handled like SIGTERM.
    """
    if proc.poll() is None:
        if gracefully and IS_WINDOWS:
            proc.send_signal(signal.CTRL_BREAK_EVENT)
        elif gracefully:
            proc.send_signal(getattr(signal, how))
        else:
            proc.terminate()
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
        return None


# ---- measurements ------------------------------------------------------------------------
def self_test(runner: Runner, work: Path) -> tuple[bool, float, dict[str, float], str]:
    code, seconds, out, err = run(runner.command + ["--self-test"], base_env(runner), work, timeout=240)
    timings = {m.group(1): float(m.group(2)) for m in re.finditer(r"^([a-z ]+): ([\d.]+) s$", out, re.MULTILINE)}
    return code == 0 and "self-test passed" in out, seconds, timings, (out + err)[-2000:]


def headless_ready(runner: Runner, work: Path, data_dir: Path | None, extra_env: dict[str, str] | None = None,
                   how: str = "SIGINT") -> tuple[float | None, int | None, str]:
    """Seconds from process start to READY, the exit code after the stop signal, the output."""
    args = ["--headless", "--demo"] + (["--data-dir", str(data_dir)] if data_dir else [])
    started = time.perf_counter()
    proc = subprocess.Popen(runner.command + args, env=base_env(runner, **(extra_env or {})), cwd=work,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8", errors="replace",
                            **NEW_GROUP)
    watcher = LineWatcher(proc.stdout, started)
    ready = wait_until(lambda: watcher.first(re.compile(r"^READY")), proc, timeout=120)
    code = stop(proc, gracefully=True, how=how)
    return ready, code, watcher.text()[-2000:]


def clean_stop(runner: Runner, work: Path, data_dir: Path, how: str) -> Check:
    """READY, then the stop signal: exit code 0 and the engine's "stopped cleanly" in the log."""
    ready, code, output = headless_ready(runner, work, data_dir, how=how)
    log_file = data_dir / "logs" / "ottenok.log"
    log_text = log_file.read_text(encoding="utf-8", errors="replace") if log_file.is_file() else ""
    ok = ready is not None and code == 0 and "stopped cleanly" in log_text
    label = "Ctrl+Break" if IS_WINDOWS else how
    detail = f"exit code {code}" + ("" if "stopped cleanly" in log_text else "; no 'stopped cleanly' in the log")
    return Check(f"headless: READY and clean stop on {label}", ok, detail if ready is not None else output)


def roaming_data_moved(runner: Runner, work: Path) -> Check:
    """Windows (the CI runner's throwaway profile): data an older version left in the roaming
    %APPDATA%\\Ottenok is moved to %LOCALAPPDATA%\\Ottenok at the first start, the old folder
    kept as a dated backup."""
    roaming = Path(os.environ["APPDATA"]) / "Ottenok"
    local = Path(os.environ["LOCALAPPDATA"]) / "Ottenok"
    if (local / "ottenok.sqlite3").exists() or roaming.exists():
        return Check("data dir: roaming data moved to the local disk", False,
                     f"the runner profile is not fresh: {local} or {roaming} already has data")
    ready, code, output = headless_ready(runner, work, roaming)  # what version 0.1 did
    if ready is None or code != 0:
        return Check("data dir: roaming data moved to the local disk", False, f"old-layout start: {output}")
    ready, code, output = headless_ready(runner, work, None)
    backups = list(roaming.parent.glob("Ottenok (moved to local disk *)"))
    ok = ready is not None and (local / "ottenok.sqlite3").is_file() and not roaming.exists() and len(backups) == 1
    detail = f"{roaming} -> {local}; backup {backups[0].name if backups else 'missing'}"
    return Check("data dir: roaming data moved to the local disk", ok, detail if ok else f"{detail}; {output}")


def crash_exit(runner: Runner, work: Path, tmp: Path) -> Check:
    """A start that cannot work (the data dir is a file) ends with code 70, never a hang."""
    blocker = tmp / "not-a-folder"
    blocker.write_text("a file where the data dir should be", encoding="utf-8")
    code, seconds, out, err = run(runner.command + ["--headless", "--data-dir", str(blocker)],
                                  base_env(runner), work, timeout=90)
    ok = code == 70 and "crashed" in err
    return Check("crash: exit code 70 and a crash log, no dialog", ok,
                 f"exit code {code} after {seconds:.1f} s; {(err or out).strip()[-300:]}")


def gui_window(runner: Runner, work: Path, data_dir: Path) -> tuple[float | None, str, str]:
    """Seconds from process start to the window on screen (from the console's log file).

    Returns (seconds, the figure's label, the log tail if nothing was seen).
    """
    log_file = data_dir / "logs" / "ottenok.log"
    started = time.perf_counter()
    proc = subprocess.Popen(runner.gui_command + ["--demo", "--data-dir", str(data_dir)], env=base_env(runner),
                            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: list[tuple[float, str]] = []

    def look() -> float | None:
        if not seen and log_file.exists():
            text = log_file.read_text(encoding="utf-8", errors="replace")
            for marker, label in WINDOW_MARKERS:  # the first marker present wins
                if marker.search(text):
                    seen.append((time.perf_counter() - started, label))
                    break
        return seen[0][0] if seen else None

    wait_until(look, proc, timeout=90)
    stop(proc, gracefully=False)
    if seen:
        return seen[0][0], seen[0][1], ""
    tail = log_file.read_text(encoding="utf-8", errors="replace")[-1500:] if log_file.exists() else "(no log file)"
    return None, "", tail


# ---- checks --------------------------------------------------------------------------------
def check_layout(app_dir: Path) -> list[Check]:
    internal = app_dir / "_internal"
    checks = []
    for exe in (f"Ottenok{EXE_SUFFIX}", f"ottenok-cli{EXE_SUFFIX}"):
        checks.append(Check(f"layout: {exe}", (app_dir / exe).is_file()))
    required = {
        "sample stock file": internal / "data" / "inventory.xlsx",
        "sample knowledge base": internal / "data" / "knowledge_base",
        "sample photos": internal / "data" / "photos",
        "app icon": internal / "resources" / "icon.png",
        "tzdata Asia/Almaty": internal / "tzdata" / "zoneinfo" / "Asia" / "Almaty",
        "drive.v3.json": internal / "googleapiclient" / "discovery_cache" / "documents" / "drive.v3.json",
    }
    for name, path in required.items():
        checks.append(Check(f"layout: {name}", path.exists(), "" if path.exists() else f"missing {path}"))
    documents = internal / "googleapiclient" / "discovery_cache" / "documents"
    extra = sorted(p.name for p in documents.glob("*.json") if p.name != "drive.v3.json") if documents.is_dir() else []
    checks.append(Check("layout: only drive.v3.json discovery document", not extra, ", ".join(extra[:5])))
    unwanted = [name for name in ("onnxruntime", "kubernetes", "tokenizers", "pytest", "tkinter") if (internal / name).exists()]
    checks.append(Check("layout: trimmed packages absent", not unwanted, ", ".join(unwanted)))
    return checks


def check_libraries(app_dir: Path) -> Check:
    """Linux: every kept library's Qt dependencies are in the bundle."""
    ldd = shutil.which("ldd")
    if not sys.platform.startswith("linux") or ldd is None:
        return Check("libraries: Qt dependencies present", True, "skipped (not Linux)")
    internal = app_dir / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}")
    missing: dict[str, set[str]] = {}
    for lib in internal.rglob("*.so*"):
        if lib.is_symlink() or not lib.is_file():
            continue
        out = subprocess.run([ldd, str(lib)], env=env, capture_output=True, text=True, check=False).stdout
        for name in re.findall(r"^\s*(\S+) => not found", out, re.MULTILINE):
            missing.setdefault(name, set()).add(lib.name)
    dropped_qt = {name: libs for name, libs in missing.items() if name.startswith(("libQt6", "libicu"))}
    detail = "; ".join(f"{name} needed by {', '.join(sorted(libs)[:3])}" for name, libs in dropped_qt.items())
    others = sorted(set(missing) - set(dropped_qt))
    if others:
        detail += ("; " if detail else "") + f"(system libraries not installed here, not bundled: {', '.join(others)})"
    return Check("libraries: Qt dependencies present", not dropped_qt, detail)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file() and not p.is_symlink()}


def ratio(packaged: float | None, source: float | None) -> str:
    if not packaged or not source:
        return "n/a"
    return f"{packaged / source:.2f}×"


def fmt(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check and measure the packaged program.")
    parser.add_argument("--app-dir", type=Path, default=APP_DIR)
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of each kind (the best is reported)")
    parser.add_argument("--no-source", action="store_true", help="skip the from-source baseline")
    args = parser.parse_args(argv)
    app_dir: Path = args.app_dir.resolve()
    if not (app_dir / f"ottenok-cli{EXE_SUFFIX}").is_file():
        print(f"No packaged program in {app_dir}: run `make package` first.", file=sys.stderr)
        return 1

    packaged = packaged_runner(app_dir)
    runners = [packaged] + ([] if args.no_source else [source_runner()])
    checks: list[Check] = check_layout(app_dir)
    before = snapshot(app_dir)
    figures: dict[str, dict[str, list[float]]] = {}

    with tempfile.TemporaryDirectory(prefix="ottenok-smoke-") as tmp_name:
        tmp = Path(tmp_name)
        work = tmp / "cwd"  # an empty working directory: no stray .env is read
        work.mkdir()

        code, _, out, err = run(packaged.command + ["--version"], base_env(packaged), work, timeout=60)
        version = read_version()
        checks.append(Check("version", code == 0 and version in out + err, (out + err).strip()[:200]))

        # A Windows user named Әйгерім: the data dir path has Cyrillic and Kazakh letters.
        data = tmp / "Әйгерім" / "Оттенок"
        code, build_s, out, err = run(packaged.command + ["--data-dir", str(data), "kb", "build"],
                                      base_env(packaged), work, timeout=240)
        ok, detail = code == 0, (err or out)[-500:]
        if ok:
            code, _, out, err = run(packaged.command + ["--data-dir", str(data), "kb", "search",
                                                        "шанель лоферы 38 размер есть?", "--k", "3", "--json"],
                                    base_env(packaged), work, timeout=120)
            try:
                results = json.loads(out)["results"]
                ranked_by = [set(r["metadata"]["ranks"]) for r in results]
                sources = [r["source"] for r in results]
                with_vectors = sum(1 for ranks in ranked_by if "vectors" in ranks)
                ok = code == 0 and "vectors" in ranked_by[0] and any("loafers_chanel" in src for src in sources)
                detail = (f"top: {results[0]['source']}, ranks {results[0]['metadata']['ranks']}; "
                          f"{with_vectors}/{len(results)} results from vectors; build {build_s:.1f} s; data dir {data}")
            except (ValueError, LookupError, TypeError) as exc:
                ok, detail = False, f"{type(exc).__name__}: {(err or out)[-500:]}"
        checks.append(Check("knowledge: kb build + search with Chroma vectors on a Cyrillic/Kazakh path", ok, detail))

        for label, extra in (("bundled stock file", []), ("Cyrillic/Kazakh data dir", ["--data-dir", str(data)])):
            code, _, out, err = run(packaged.command + extra + ["inventory", "find", "лоферы шанель", "--size", "38",
                                                                "--json"], base_env(packaged), work, timeout=120)
            try:
                found = json.loads(out)
                ok = code == 0 and found.get("status") == "in_stock" and found.get("product") == "Лоферы Chanel"
                detail = f"{found.get('product')} size {found.get('size')}: {found.get('status')}"
            except ValueError:
                ok, detail = False, (err or out)[-500:]
            checks.append(Check(f"inventory: find, {label} (UTF-8 JSON on a pipe)", ok, detail))

        checks.append(crash_exit(packaged, work, tmp))
        for how in (("SIGBREAK",) if IS_WINDOWS else ("SIGINT", "SIGTERM")):
            checks.append(clean_stop(packaged, work, tmp / f"stop-{how.lower()}", how))
        log_file = tmp / f"stop-{'sigbreak' if IS_WINDOWS else 'sigint'}" / "logs" / "ottenok.log"
        log_text = log_file.read_text(encoding="utf-8", errors="replace") if log_file.is_file() else ""
        checks.append(Check("utf-8: Python's UTF-8 mode on in the packaged program", "utf8_mode=1" in log_text,
                            next((line[-160:] for line in log_text.splitlines() if "utf8_mode" in line), "no start line")))

        for runner in runners:
            fig = figures.setdefault(runner.label, {})
            for attempt in range(args.repeat):
                passed, seconds, timings, output = self_test(runner, work)
                if runner is packaged and attempt == 0:
                    checks.append(Check("self-test", passed, "" if passed else output))
                if passed:
                    fig.setdefault("self-test wall", []).append(seconds)
                    if "window shown" in timings:
                        fig.setdefault("self-test: window shown (in-process)", []).append(timings["window shown"])

                ready, code, output = headless_ready(runner, work, tmp / f"headless-{runner.label}-{attempt}")
                if runner is packaged and attempt == 0 and ready is None:
                    checks.append(Check("headless: READY (timing run)", False, output))
                if ready is not None:
                    fig.setdefault("start → headless READY", []).append(ready)

                shown, label, tail = gui_window(runner, work, tmp / f"gui-{runner.label}-{attempt}")
                if runner is packaged and attempt == 0:
                    checks.append(Check("console: window shown", shown is not None, label if shown is not None else tail))
                if shown is not None:
                    fig.setdefault(label, []).append(shown)

        # No --data-dir, no OTTENOK_DATA_DIR: the per-user data dir on the local disk is used
        # (Windows: %LOCALAPPDATA%\Ottenok of the CI runner's throwaway profile, never the
        # roaming %APPDATA%; Linux: a private HOME/XDG_DATA_HOME).
        if IS_WINDOWS:
            env: dict[str, str] = {}
            user_dir = Path(os.environ["LOCALAPPDATA"]) / "Ottenok"
            roaming_db: Path | None = Path(os.environ["APPDATA"]) / "Ottenok" / "ottenok.sqlite3"
        else:
            home = tmp / "home"
            xdg = home / ".local" / "share"
            env = {"HOME": str(home), "XDG_DATA_HOME": str(xdg), "APPDATA": str(home / "AppData" / "Roaming")}
            user_dir = xdg / "Ottenok" if sys.platform.startswith("linux") else Path.home() / "Library" / "Application Support" / "Ottenok"
            roaming_db = None
        if IS_WINDOWS:
            checks.append(roaming_data_moved(packaged, work))
        if IS_WINDOWS or sys.platform.startswith("linux"):
            ready, code, output = headless_ready(packaged, work, None, env)
            expected = user_dir / "ottenok.sqlite3"
            ok = ready is not None and expected.is_file() and not (roaming_db is not None and roaming_db.exists())
            checks.append(Check("data dir: per-user folder on the local disk by default", ok,
                                f"database at {expected}" if ok else output))
            # The next start (e.g. after an update) opens the same data instead of starting over.
            ready, code, output = headless_ready(packaged, work, None, env)
            # a migration would leave "ottenok.sqlite3.bak-v<N>"; the daily copy is "…bak-v<N>-<time>"
            migrated = [b for b in user_dir.glob("*.bak-v*") if re.fullmatch(r".*\.bak-v\d+", b.name)]
            reopened = ready is not None and code == 0 and not migrated
            checks.append(Check("data dir: the next start reopens the same database", reopened,
                                "" if reopened else output))

    after = snapshot(app_dir)
    changed = sorted(set(after) ^ set(before) | {k for k in before if k in after and before[k] != after[k]})
    checks.append(Check("data dir: install folder never written", not changed, ", ".join(changed[:5])))
    checks.append(check_libraries(app_dir))

    # ---- report ----------------------------------------------------------------------------
    print("\nChecks:")
    for check in checks:
        print(f"  [{'ok' if check.ok else 'FAIL'}] {check.name}" + (f" — {check.detail}" if check.detail else ""))
    build = {}
    build_report = app_dir.parent / "Ottenok-build.json"
    if build_report.is_file():
        build = json.loads(build_report.read_text(encoding="utf-8"))
        print(f"\nFolder size: {build.get('size_mb')} MB, {build.get('files')} files (built in {build.get('build_seconds')} s)")

    print(f"\nTimings (best of {args.repeat}; first run in brackets):")
    names = sorted({name for fig in figures.values() for name in fig})
    print(f"  {'':48} {'packaged':>18} {'source':>18} {'ratio':>7}")
    summary: dict[str, dict[str, float | None]] = {}
    for name in names:
        p = figures.get("packaged", {}).get(name, [])
        s = figures.get("source", {}).get(name, [])
        best_p, best_s = (min(p) if p else None), (min(s) if s else None)
        first_p, first_s = (p[0] if p else None), (s[0] if s else None)
        summary[name] = {"packaged": best_p, "source": best_s, "packaged_first": first_p, "source_first": first_s}
        print(f"  {name:48} {fmt(best_p):>8} [{fmt(first_p):>7}] {fmt(best_s):>8} [{fmt(first_s):>7}] {ratio(best_p, best_s):>7}")

    failed = [c for c in checks if not c.ok]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps({
        "platform": sys.platform,
        "size_mb": build.get("size_mb"),
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
        "timings": summary,
    }, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\n{len(checks) - len(failed)}/{len(checks)} checks passed" + (f"; FAILED: {', '.join(c.name for c in failed)}" if failed else ""))
    print(f"smoke: {len(checks) - len(failed)} passed, {len(failed)} failed")  # the plain closing line CI reads
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
