"""What the PyInstaller bundle leaves out: unused Qt modules, plugins, QML and translations.

PyInstaller's PySide6 hooks collect every Qt library that QtWebEngine's QML side could need
(Quick 3D, Multimedia, Pdf, … and the whole `qml/` tree), which makes a ~590 MB bundle. The
reader only uses widgets and a QWebEngineView, so everything below is filtered out of the
Analysis' TOCs by the spec. The rules work on destination paths, which have the same shape on
Linux (`PySide6/Qt/lib/libQt6Gui.so.6`), Windows (`PySide6/Qt6Gui.dll`) and macOS
(`PySide6/Qt/lib/QtGui.framework/...`), so the spec stays portable.
"""

from __future__ import annotations

import re

# Python modules never imported by the reader. PySide6 submodules are listed so that their
# hooks never run (a hook pulls its Qt library and plugins in); the other Qt bindings are
# named because pyqtdarktheme's qtpy shim probes for them.
UNUSED_PYSIDE6_MODULES = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtAxContainer", "QtBluetooth", "QtCanvasPainter", "QtCharts", "QtConcurrent",
    "QtDataVisualization", "QtDesigner", "QtGraphs", "QtGraphsWidgets", "QtHelp",
    "QtHttpServer", "QtLabsStyleKit", "QtLocation", "QtMultimedia", "QtMultimediaWidgets",
    "QtNetworkAuth", "QtNfc", "QtOpenGLWidgets", "QtPdf", "QtPdfWidgets", "QtQml",
    "QtQmlFeatures", "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickTest",
    "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus",
    "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtTest", "QtTextToSpeech",
    "QtUiTools", "QtWebEngineQuick", "QtWebSockets", "QtWebView", "QtXml", "QtAsyncio",
    # Linked by QtWebEngineCore at the C++ level only; their Python bindings are never used.
    "QtOpenGL", "QtPositioning", "QtDBus",
)
EXCLUDED_MODULES = (
    *(f"PySide6.{name}" for name in UNUSED_PYSIDE6_MODULES),
    "PyQt5", "PyQt6", "PySide2", "tkinter", "_tkinter", "IPython", "matplotlib", "pytest",
    "hypothesis", "PyInstaller",
)

# Qt libraries the bundle keeps: what QtWebEngineWidgets, QtWidgets and QtSvg link against
# (checked with ldd/otool/dumpbin: WebEngineCore needs Quick, Qml, Positioning, WebChannel…),
# plus the platform-integration libraries of the kept platform plugins.
KEPT_QT_LIBRARIES = frozenset({
    "Core", "Gui", "Widgets", "Network", "Svg", "SvgWidgets", "DBus", "OpenGL", "PrintSupport",
    "WebEngineCore", "WebEngineWidgets", "WebChannel", "Positioning",
    "Quick", "QuickWidgets", "Qml", "QmlMeta", "QmlModels", "QmlWorkerScript",
    "XcbQpa", "WaylandClient", "WaylandEglClientHwIntegration",
})
_QT_LIBRARY = re.compile(
    r"(?:^|/)(?:lib)?Qt6?([0-9A-Z][A-Za-z0-9]*?)(?:\.so[.0-9]*|\.dll|\.framework|\.dylib)(?:/|$)"
)

# Plugin folders the reader needs: windowing, input methods (Chinese IMEs), themes for native
# dialogs, image and icon formats (pyqtdarktheme draws its icons from SVG), printing, styles.
KEPT_PLUGIN_DIRS = frozenset({
    "platforms", "platformthemes", "platforminputcontexts", "imageformats", "iconengines",
    "xcbglintegrations", "styles", "tls", "wayland-decoration-client",
    "wayland-graphics-integration-client", "wayland-shell-integration",
})
DROPPED_PLUGINS = frozenset({
    # Embedded-device platforms and formats nobody opens in a reader.
    "libqeglfs", "libqlinuxfb", "libqminimalegl", "libqvkkhrdisplay", "libqvnc",
    "libqtvirtualkeyboardplugin", "libqpdf", "qpdf", "libqicns", "libqtga", "libqtiff",
    "libqwbmp", "qtvirtualkeyboardplugin", "qtga", "qtiff", "qwbmp", "qicns",
    # wl-shell is obsolete and needs a Qt library of its own.
    "libwl-shell-plugin",
})

# Languages kept for Qt's own strings and for Chromium's (qtwebengine_locales uses BCP 47).
KEPT_QM_LANGUAGES = ("zh_CN", "zh_TW", "en")
KEPT_QM_DOMAINS = ("qt", "qtbase", "qtwebengine")
KEPT_WEBENGINE_LOCALES = frozenset({"zh-CN.pak", "zh-TW.pak", "en-US.pak"})

# Chromium's developer-tools front end (12 MB); the reader never opens the inspector.
DROPPED_WEBENGINE_RESOURCES = frozenset({"qtwebengine_devtools_resources.pak"})

# Libraries that only unused Qt modules (Multimedia's FFmpeg and its stubs) pull in.
_DROPPED_OTHER = re.compile(
    r"(?:^|/)(?:lib)?(?:av(?:codec|format|util|device|filter)|sw(?:scale|resample)|Qt6FFmpegStub)"
    r"[-.0-9a-z]*$"
)


# Linux desktop libraries taken from the system, never bundled (the rule of AppImage's
# excludelist): a bundled copy of glib, NSS, fontconfig or the X libraries clashes with the
# system's GTK theme, input-method and font modules, and they are on every desktop anyway
# (scripts/setup lists the Debian packages). PyInstaller itself already leaves out libc and GL.
SYSTEM_LIBRARIES = frozenset({
    "libX11", "libX11-xcb", "libXau", "libXdmcp", "libXext", "libXfixes", "libXrender",
    "libXcomposite", "libXdamage", "libXrandr", "libXtst", "libXi", "libxkbfile", "libxshmfence",
    "libxkbcommon", "libxkbcommon-x11", "libxcb", "libxcb-cursor", "libxcb-glx", "libxcb-icccm",
    "libxcb-image", "libxcb-keysyms", "libxcb-randr", "libxcb-render", "libxcb-render-util",
    "libxcb-shape", "libxcb-shm", "libxcb-sync", "libxcb-util", "libxcb-xfixes", "libxcb-xkb",
    "libxcb-xinerama", "libxcb-xinput", "libxcb-present", "libxcb-dri3", "libgbm", "libdrm",
    "libfontconfig", "libfreetype", "libharfbuzz", "libgraphite2", "libfribidi", "libthai",
    "libdatrie", "libpango-1.0", "libpangocairo-1.0", "libpangoft2-1.0", "libcairo",
    "libcairo-gobject", "libpixman-1", "libgdk_pixbuf-2.0", "libatk-1.0", "libatk-bridge-2.0",
    "libgtk-3", "libgdk-3", "libglib-2.0", "libgobject-2.0", "libgio-2.0", "libgmodule-2.0",
    "libgthread-2.0", "libdbus-1", "libasound", "libnss3", "libnssutil3", "libsmime3",
    "libsoftokn3", "libfreebl3", "libfreeblpriv3", "libnssckbi", "libnssdbm3", "libnspr4",
    "libplc4", "libplds4", "libcups", "libavahi-client", "libavahi-common", "libgnutls",
    "libnettle", "libhogweed", "libgmp", "libtasn1", "libidn2", "libunistring", "libp11-kit",
    "libgssapi_krb5", "libkrb5", "libk5crypto", "libkrb5support", "libcom_err", "libkeyutils",
    "libsystemd", "libudev", "libgcrypt", "libgpg-error", "liblz4", "libselinux", "libmount",
    "libblkid", "libpcre2-8", "libcap", "libbsd", "libmd", "libexpat", "libbrotlicommon",
    "libbrotlidec", "libwayland-client", "libwayland-cursor", "libwayland-egl",
})


def keep(dest: str) -> bool:
    """Whether a bundled file (its destination path inside the bundle) is kept."""
    path = dest.replace("\\", "/")
    parts = path.split("/")
    name = parts[-1]
    if ".so" in name and name.split(".so")[0] in SYSTEM_LIBRARIES:
        return False
    if _DROPPED_OTHER.search(path) or name in DROPPED_WEBENGINE_RESOURCES:
        return False
    if "qtwebengine_locales" in parts[:-1]:
        return name in KEPT_WEBENGINE_LOCALES
    if "PySide6" in parts:
        inside = parts[parts.index("PySide6") + 1:]
        if inside[:1] == ["Qt"]:
            inside = inside[1:]
        if inside[:1] == ["qml"]:
            return False
        if inside[:1] == ["plugins"] and len(inside) >= 3:
            return inside[1] in KEPT_PLUGIN_DIRS and name.split(".")[0] not in DROPPED_PLUGINS
        if inside[:1] == ["translations"]:
            return _keep_translation(name)
    return _keep_qt_library(path)


def _keep_qt_library(path: str) -> bool:
    match = _QT_LIBRARY.search(path)
    if match is None or "/plugins/" in path:
        return True
    return match.group(1) in KEPT_QT_LIBRARIES


def _keep_translation(name: str) -> bool:
    stem, _, ext = name.rpartition(".")
    if ext != "qm":
        return True
    domain, _, language = stem.partition("_")
    return domain in KEPT_QM_DOMAINS and language in KEPT_QM_LANGUAGES


def filter_toc(toc: list[tuple]) -> list[tuple]:
    """The TOC entries (dest, src, typecode) that `keep` accepts."""
    return [entry for entry in toc if keep(entry[0])]
