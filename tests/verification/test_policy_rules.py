"""The auto-verify policy's rules (signon/verification/policy.py), called directly on
signals: no HTTP, no database. SPEC section 5: a strong negative blocks any automatic
verdict and is shown first; `strong` verifies on a strong signal, `strong_or_medium` on a
strong or a medium one, both only when the claimed jurisdiction was found; `off` never.
tests/verification/test_policy.py shows the same rules through signing."""

from __future__ import annotations

import pytest

from signon.tables import AUTO_VERIFY_POLICIES
from signon.verification.evidence import Signal
from signon.verification.policy import (
    POLICY_STRENGTHS,
    STRENGTH_ORDER,
    auto_verify_reason,
    rank,
    sort_signals,
)

FOUND = Signal("jurisdiction_found", "none", "Found the City of Milwaukee.")
NOT_FOUND = Signal("jurisdiction_not_found", "none", "No division named Lakeshire.")
STRONG = Signal("roster_email", "strong", "The roster lists this email for the seat.")
MEDIUM = Signal("dotgov_jurisdiction", "medium", "milwaukee.gov is the city's.")
WEAK = Signal("roster_name", "weak", "The name matches the seat's holder.")
NEGATIVE = Signal("seat_vacant", "strong_negative", "The seat is vacant.")


def test_every_policy_a_campaign_may_have_is_known():
    assert set(POLICY_STRENGTHS) == set(AUTO_VERIFY_POLICIES)
    assert [rank(s) for s in STRENGTH_ORDER] == list(range(len(STRENGTH_ORDER)))
    with pytest.raises(ValueError):
        rank("very strong")  # a strength the SPEC does not name is an error, not a guess


def test_strong_negatives_come_first_then_the_strongest_in_favour():
    signals = [WEAK, FOUND, STRONG, NEGATIVE, MEDIUM]
    assert sort_signals(signals) == [NEGATIVE, STRONG, MEDIUM, WEAK, FOUND]
    # Stable: signals of one strength keep the order the engine gave them.
    other_strong = Signal("prior_verification", "strong", "Verified before by staff.")
    assert sort_signals([other_strong, WEAK, STRONG]) == [other_strong, STRONG, WEAK]
    assert sort_signals([]) == []


@pytest.mark.parametrize(
    ("policy", "signals", "verifies"),
    [
        ("strong", [FOUND, STRONG], True),
        ("strong", [FOUND, MEDIUM], False),
        ("strong", [FOUND, WEAK, WEAK, WEAK], False),  # weak signals never add up
        ("strong_or_medium", [FOUND, MEDIUM], True),
        ("strong_or_medium", [FOUND, STRONG], True),
        ("strong_or_medium", [FOUND, WEAK], False),
        ("off", [FOUND, STRONG], False),
        ("off", [FOUND, STRONG, MEDIUM], False),
        ("no such policy", [FOUND, STRONG], False),
        # Any strong negative blocks, however much is in favour.
        ("strong", [FOUND, STRONG, NEGATIVE], False),
        ("strong_or_medium", [NEGATIVE, FOUND, STRONG, MEDIUM], False),
        # The jurisdiction must have been found.
        ("strong", [STRONG], False),
        ("strong", [NOT_FOUND, STRONG], False),
        ("strong_or_medium", [NOT_FOUND, STRONG, MEDIUM], False),
        ("strong", [FOUND], False),
        ("strong", [], False),
    ],
)
def test_the_policy_verifies_only_on_clear_evidence(policy, signals, verifies):
    assert (auto_verify_reason(signals, policy) is not None) is verifies


def test_the_reason_names_the_policy_and_the_strongest_signal_it_accepts():
    assert auto_verify_reason([FOUND, MEDIUM, STRONG], "strong_or_medium") == (
        "Automatically verified (strong_or_medium policy): "
        "The roster lists this email for the seat."
    )
    assert auto_verify_reason([WEAK, MEDIUM, FOUND], "strong_or_medium") == (
        "Automatically verified (strong_or_medium policy): milwaukee.gov is the city's."
    )
    assert auto_verify_reason([FOUND, STRONG], "strong") == (
        "Automatically verified (strong policy): The roster lists this email for the seat."
    )
