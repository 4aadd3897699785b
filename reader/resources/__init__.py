"""Data shipped with the package (page shell, MathJax, icons, the bundled sample), read through
importlib.resources so a checkout, a wheel and a PyInstaller bundle find it the same way.

It lives inside the package rather than in a top-level folder because a setuptools package-dir
mapping from a top-level folder is invisible when the code runs from a plain checkout."""
