"""Runtime hook: give QtWebEngine absolute paths to its helper, resources and locales.

QtWebEngine derives these from the executable's path. Bundles installed under folders with
non-ASCII names (e.g. `D:\\科学 空间\\kexue-reader`) have failed with "Could not find
QtWebEngineProcess" or "ICU data not found" when that derivation went through a narrow
(ANSI) encoding (pyinstaller/pyinstaller#4912, #3601, #3696). Setting the documented
environment variables from `sys._MEIPASS`, a proper Unicode string, removes the guesswork; on
Windows a path the ANSI code page cannot spell is replaced by its 8.3 short form when the volume
has one. Variables the user set already are left alone.
"""


def _short_windows_path(path):
    import ctypes

    size = ctypes.windll.kernel32.GetShortPathNameW(path, None, 0)
    if not size:
        return path
    buffer = ctypes.create_unicode_buffer(size)
    if not ctypes.windll.kernel32.GetShortPathNameW(path, buffer, size):
        return path
    return buffer.value


def _pyi_rthook():
    import os
    import sys

    if sys.platform == "darwin":
        # Qt finds the helper and its resources inside QtWebEngineCore.framework by itself.
        return
    if sys.platform == "win32":
        qt = os.path.join(sys._MEIPASS, "PySide6")
        process = os.path.join(qt, "QtWebEngineProcess.exe")
    else:
        qt = os.path.join(sys._MEIPASS, "PySide6", "Qt")
        process = os.path.join(qt, "libexec", "QtWebEngineProcess")
    paths = {
        "QTWEBENGINEPROCESS_PATH": process,
        "QTWEBENGINE_RESOURCES_PATH": os.path.join(qt, "resources"),
        "QTWEBENGINE_LOCALES_PATH": os.path.join(qt, "translations", "qtwebengine_locales"),
    }
    for variable, path in paths.items():
        if variable in os.environ or not os.path.exists(path):
            continue
        if sys.platform == "win32" and not path.isascii():
            path = _short_windows_path(path)
        os.environ[variable] = path


_pyi_rthook()
del _pyi_rthook
