import pytest

# The support modules' asserts explain a failure as a test module's do (pytest rewrites
# only test modules and conftest.py unless told).
pytest.register_assert_rewrite(
    "tests.browser_helpers",
    "tests.conformance",
    "tests.emails",
    "tests.factories",
    "tests.forms",
    "tests.pdf_text",
    "tests.processes",
    "tests.world",
)
