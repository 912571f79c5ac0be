"""The ICU data trim (build/icu_trim.py): which items stay, and — where the tools exist —
a real round trip on PySide6's own libicudata: Qt still sorts Russian and Kazakh names,
names the shop's time zone in Russian, and knows the cp1251 codec with the trimmed data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.build._loader import load

icu = load("icu_trim.py")


@pytest.mark.parametrize(("item", "kept"), [
    ("root.res", True), ("ru.res", True), ("ru_KZ.res", True), ("kk.res", True), ("kk_KZ.res", True),
    ("en.res", True), ("en_US.res", True), ("pool.res", True), ("res_index.res", True),
    ("coll/ru.res", True), ("coll/root.res", True), ("coll/ucadata.icu", True), ("coll/res_index.res", True),
    ("zone/ru.res", True), ("zone/tzdbNames.res", True), ("zoneinfo64.res", True), ("metaZones.res", True),
    ("supplementalData.res", True), ("likelySubtags.res", True), ("windows-1251-2000.cnv", True),
    ("cnvalias.icu", True), ("nfkc.nrm", True),
    ("de.res", False), ("zh_Hant_TW.res", False), ("en_AU.res", False), ("coll/zh.res", False),
    ("coll/de__PHONEBOOK.res", False), ("zone/ja.res", False), ("lang/fr.res", False),
    ("brkitr/cjdict.dict", False), ("brkitr/root.res", False), ("translit/root.res", False),
])
def test_the_shop_languages_and_everything_qt_uses_stay(item: str, kept: bool) -> None:
    assert icu.keep_item(item) is kept


CHECK = """
import functools
from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone
names = ["яблоко", "Ёлка", "әже", "Айгерим", "Бота", "ель"]
print(sorted(names, key=functools.cmp_to_key(QCollator(QLocale("ru_RU")).compare)))
print(QTimeZone(b"Asia/Almaty").displayName(QTimeZone.StandardTime, QTimeZone.LongName, QLocale("ru_RU")))
print(QLocale("kk_KZ").toLower("ӘЖЕ ҚАЗАҚ"), QStringDecoder("windows-1251").isValid())
print(any("ottenok-icu-test" in line for line in open("/proc/self/maps")))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or None in [shutil.which(t) for t in ("icupkg", "gcc", "nm")],
                    reason="Linux with icupkg and gcc")
def test_qt_works_the_same_with_the_trimmed_data(tmp_path: Path) -> None:
    import PySide6

    source = Path(PySide6.__file__).parent / "Qt" / "lib" / "libicudata.so.73"
    if not source.is_file():
        pytest.skip("this PySide6 ships no ICU data library")
    lib = tmp_path / "ottenok-icu-test" / "_internal" / "PySide6" / "Qt" / "lib"
    lib.mkdir(parents=True)
    shutil.copy(source, lib / source.name)
    saved, dropped = icu.trim_icu_data(tmp_path / "ottenok-icu-test")
    assert saved > 15_000_000 and dropped > 1000

    def run(preload: Path | None) -> list[str]:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        if preload is not None:
            env["LD_PRELOAD"] = str(preload)
        out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, env=env, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout.splitlines()

    full, trimmed = run(None), run(lib / source.name)
    assert trimmed[-1] == "True"  # the trimmed library was the one loaded
    assert trimmed[:-1] == full[:-1]
    assert trimmed[0].startswith("['Айгерим', 'әже', 'Бота'") and "Казахстан" in trimmed[1]
