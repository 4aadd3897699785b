"""The bundle's trimming rules (packaging/trim.py, icu_trim.py) on each platform's paths."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

PACKAGING = Path(__file__).resolve().parent.parent / "packaging"


def load(name: str) -> object:
    spec = importlib.util.spec_from_file_location(f"packaging_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


trim = load("trim")
icu_trim = load("icu_trim")


@pytest.mark.parametrize("dest", [
    # What QtWebEngineWidgets needs, on Linux, Windows and macOS.
    "PySide6/Qt/lib/libQt6WebEngineCore.so.6",
    "PySide6/Qt/lib/libQt6Quick.so.6",
    "PySide6/Qt6WebEngineCore.dll",
    "PySide6/Qt/lib/QtWebEngineCore.framework/Versions/A/QtWebEngineCore",
    "PySide6/Qt/libexec/QtWebEngineProcess",
    "PySide6/QtWebEngineProcess.exe",
    "PySide6/Qt/resources/icudtl.dat",
    "PySide6/Qt/resources/qtwebengine_resources.pak",
    "PySide6/Qt/lib/libicudata.so.73",
    # Chinese and English translations, windowing and input-method plugins.
    "PySide6/Qt/translations/qtwebengine_locales/zh-CN.pak",
    "PySide6/Qt/translations/qtwebengine_locales/en-US.pak",
    "PySide6/Qt/translations/qtbase_zh_TW.qm",
    "PySide6/translations/qt_en.qm",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/plugins/platforms/qwindows.dll",
    "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
    "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
    # Python and the rest of the app.
    "PySide6/QtWebEngineWidgets.abi3.so",
    "reader/resources/mathjax/startup.js",
    "libpython3.11.so.1.0",
    "libstdc++.so.6",
])
def test_kept(dest: str) -> None:
    assert trim.keep(dest)


@pytest.mark.parametrize("dest", [
    "PySide6/Qt/lib/libQt63DCore.so.6",
    "PySide6/Qt/lib/libQt6Multimedia.so.6",
    "PySide6/Qt6Pdf.dll",
    "PySide6/Qt/lib/QtQuick3D.framework/Versions/A/QtQuick3D",
    "PySide6/Qt/qml/QtQuick/Controls/qmldir",
    "PySide6/Qt/lib/libavcodec.so.61",
    "PySide6/Qt/resources/qtwebengine_devtools_resources.pak",
    "PySide6/Qt/translations/qtwebengine_locales/de.pak",
    "PySide6/Qt/lib/QtWebEngineCore.framework/Resources/qtwebengine_locales/fr.pak",
    "PySide6/Qt/translations/qtbase_de.qm",
    "PySide6/Qt/translations/designer_zh_CN.qm",
    "PySide6/Qt/plugins/sqldrivers/libqsqlite.so",
    "PySide6/Qt/plugins/platforms/libqvnc.so",
    "libnss3.so",
    "libglib-2.0.so.0",
    "libX11.so.6",
])
def test_dropped(dest: str) -> None:
    assert not trim.keep(dest)


def test_the_app_modules_are_not_excluded() -> None:
    used = {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtNetwork",
            "PySide6.QtSvg", "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets",
            "PySide6.QtWebChannel", "PySide6.QtPrintSupport"}
    assert not used & set(trim.EXCLUDED_MODULES)


@pytest.mark.parametrize(("item", "removed"), [
    ("de.res", True), ("curr/fr_CA.res", True), ("coll/de_.res", True), ("lang/ja.res", True),
    ("zh.res", False), ("zh_Hant_TW.res", False), ("coll/zh.res", False), ("en_GB.res", False),
    ("rbnf/yue.res", False), ("root.res", False), ("curr/res_index.res", False),
    ("pool.res", False), ("supplementalData.res", False), ("coll/ucadata.icu", False),
    ("gb18030.cnv", False), ("nfkc.nrm", False), ("brkitr/cjdict.dict", False),
])
def test_icu_items(item: str, removed: bool) -> None:
    assert icu_trim.removable(item) is removed
