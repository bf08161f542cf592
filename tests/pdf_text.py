"""A PDF's text read back with pypdf, the way a person would copy it, and its page numbers."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

PAGE_FOOTER = re.compile(r"Page (\d+) of (\d+)$")


def page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def text_lines(content: bytes) -> list[str]:
    return [line for text in page_texts(content) for line in text.splitlines()]


def assert_numbered(content: bytes) -> int:
    """Every page ends with "Page N of M", N counting up from 1; returns M."""
    texts = page_texts(content)
    for number, text in enumerate(texts, start=1):
        found = PAGE_FOOTER.search(text.strip())
        assert found, f"page {number} has no footer: {text[-80:]!r}"
        assert (int(found.group(1)), int(found.group(2))) == (number, len(texts))
    return len(texts)
