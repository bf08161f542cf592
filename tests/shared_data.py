"""The public datasets in ../shared/data, which tests read in place and never copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from signon import settings

SHARED_DATA = settings.PROJECT_DIR.parent / "shared" / "data"
# The four states SOURCES.md describes in detail (../shared/data holds 46): tests that need
# only these import only these, since the whole roster takes seconds.
FOUR_STATES = ("WI", "NC", "VT", "NE")


def shared_data(relative: str) -> Path:
    """A file under ../shared/data, or skip the test when the folder is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared datasets are not beside this checkout")
    return path
