"""signing_rules: the quick ASCII answer for control characters is the per-character one."""

import unicodedata

from signon.signing.rules import _ALLOWED_FORMAT_CHARACTERS, _has_control_characters


def _by_category(value: str) -> bool:
    return any(
        unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs")
        and char not in _ALLOWED_FORMAT_CHARACTERS
        for char in value
    )


def test_every_ascii_character_gets_the_answer_of_its_category():
    for code in range(128):
        for value in (chr(code), f"Ann{chr(code)} Lee"):
            assert _has_control_characters(value) == _by_category(value), repr(value)
    for value in ("", "José Núñez", "Zoë\u200dX", "bad\u200bzero width", "\ue000"):
        assert _has_control_characters(value) == _by_category(value), repr(value)
