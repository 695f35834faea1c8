"""Build hook: a wheel carries the top-level `templates/` and `migrations/` folders.

In the repository they stay at the top level, beside `config.py` (as the design fixes them);
`config.py` finds them there in a checkout or an editable install. A wheel has no such top
level, so `build_py` copies both folders into the package as `pilot_tracker/_top/`, where
`config.py` looks when it is not running from a checkout. Everything else is in
pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
TOP_LEVEL_FOLDERS = ("templates", "migrations")


class BuildWithTopLevelFolders(build_py):
    """`build_py`, plus copies of the top-level folders the app reads at run time."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads them from the checkout itself
            return
        for name in TOP_LEVEL_FOLDERS:
            target = Path(self.build_lib) / "pilot_tracker" / "_top" / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(
                ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )


setup(cmdclass={"build_py": BuildWithTopLevelFolders})
