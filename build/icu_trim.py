"""Linux: shrink the ICU data library PySide6 ships (libicudata.so.73, 32 MB) to what Qt uses.

Qt Core calls ICU for four things only (its undefined ICU symbols): text codecs
(`ucnv_*`), collation (`ucol_*`), time-zone names (`ucal_getTimeZoneDisplayName`) and
case mapping (`u_strToUpper/Lower`, whose tables are compiled into libicuuc). No break
iterators (`ubrk_*`), transliterators, number spell-out or unit formatting. So the
data package keeps every codec table, the collation base and every non-locale bundle
(time zones, supplemental data), and the locale bundles of the shop's languages only
(Russian, Kazakh, English, and the root they fall back to); it drops break-iterator
dictionaries (Chinese/Japanese/Thai/... word lists), transliteration rules and every
other language's locale bundles. Measured: 32.0 MB -> 9.4 MB.

How: the data is one ICU "common data" package, exported as the symbol `icudt73_dat`.
It is cut out of the library, filtered with `icupkg -r`, and linked back into a
library with the same soname and symbol (`gcc -shared`, the bytes via `.incbin`).
Windows' and macOS' Qt builds do not ship this library (they use the system's ICU);
if `icupkg` or `gcc` is missing the library is left as it is (bigger, same behaviour).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

KEPT_LANGUAGES = frozenset({"ru", "kk", "en"})
# English has ~100 regional bundles; Qt asks for the system locale's (en_US) at most.
KEPT_ENGLISH = frozenset({"en", "en_001", "en_US", "en_US_POSIX"})
DROPPED_TREES = ("brkitr/", "translit/")
ALWAYS_KEPT = frozenset({"root", "pool", "res_index"})
_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]*)*$")  # de__PHONEBOOK too


def keep_item(item: str) -> bool:
    """One item of the package (`ru.res`, `coll/kk.res`, `brkitr/cjdict.dict`, `ibm-1251_P100-1995.cnv`)."""
    if item.startswith(DROPPED_TREES):
        return False
    name = item.rsplit("/", 1)[-1]
    if not name.endswith(".res"):
        return True  # codec tables, collation base, normalisation data
    stem = name[: -len(".res")]
    if stem in ALWAYS_KEPT or not _LOCALE.match(stem):
        return True  # supplementalData, zoneinfo64, metaZones, likelySubtags, ...
    language = stem.split("_", 1)[0]
    if language == "en":
        return stem in KEPT_ENGLISH
    return language in KEPT_LANGUAGES


def _data_symbol(library: Path) -> tuple[str, int, int] | None:
    """(symbol, file offset, size) of the `icudtNN_dat` blob, from nm and readelf."""
    out = subprocess.run(["nm", "-D", "--defined-only", "-S", str(library)], capture_output=True, text=True).stdout
    match = re.search(r"^([0-9a-f]+) ([0-9a-f]+) R (icudt\d+_dat)$", out, re.MULTILINE)
    if match is None:
        return None
    address, size, symbol = int(match.group(1), 16), int(match.group(2), 16), match.group(3)
    sections = subprocess.run(["readelf", "-SW", str(library)], capture_output=True, text=True).stdout
    for line in sections.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            section_address, section_offset = int(fields[3], 16), int(fields[4], 16)
            return symbol, address - section_address + section_offset, size
    return None


def trim_icu_data(app_dir: Path) -> tuple[int, int]:
    """Shrink `_internal/PySide6/Qt/lib/libicudata.so.*` in place. Returns (bytes saved, items dropped)."""
    tools = [shutil.which(name) for name in ("icupkg", "gcc", "nm", "readelf")]
    libraries = sorted((app_dir / "_internal" / "PySide6" / "Qt" / "lib").glob("libicudata.so.*"))
    if None in tools or not libraries:
        return 0, 0
    library = next((lib for lib in libraries if not lib.is_symlink()), None)
    found = _data_symbol(library) if library is not None else None
    if library is None or found is None:
        return 0, 0
    symbol, offset, size = found
    before = library.stat().st_size
    with tempfile.TemporaryDirectory(prefix="ottenok-icu-") as scratch:
        work = Path(scratch)
        # icupkg names the package after its file (icudt73l: ICU 73, little-endian ASCII)
        name = symbol.removesuffix("_dat") + "l.dat"
        (work / "out").mkdir()
        package, trimmed = work / name, work / "out" / name
        with library.open("rb") as handle:
            handle.seek(offset)
            package.write_bytes(handle.read(size))
        listing = subprocess.run(["icupkg", "-l", str(package)], capture_output=True, text=True, check=True).stdout
        dropped = [item for item in listing.split() if not keep_item(item)]
        (work / "drop.txt").write_text("\n".join(dropped) + "\n", encoding="ascii")
        subprocess.run(["icupkg", "-r", str(work / "drop.txt"), str(package), str(trimmed)],
                       check=True, capture_output=True)
        (work / "data.s").write_text(
            f'.section .rodata\n.globl {symbol}\n.type {symbol}, @object\n.balign 16\n{symbol}:\n'
            f'.incbin "{trimmed}"\n.size {symbol}, . - {symbol}\n.section .note.GNU-stack,"",@progbits\n',
            encoding="ascii")
        rebuilt = work / library.name
        subprocess.run(["gcc", "-shared", "-nostdlib", f"-Wl,-soname,{_soname(library)}", "-o", str(rebuilt),
                        str(work / "data.s")], check=True, capture_output=True)
        shutil.copyfile(rebuilt, library)
    return before - library.stat().st_size, len(dropped)


def _soname(library: Path) -> str:
    out = subprocess.run(["readelf", "-dW", str(library)], capture_output=True, text=True).stdout
    match = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
    return match.group(1) if match else library.name
