"""The evidence judgement over every current legislator and mayor in the shared roster
(46 jurisdictions) and the whole OCD file, with the perturbed claims of issue 12: pure
function calls over facts loaded once for the module (no HTTP).

Zero false automatic verifications is the assertion, under both policies that verify;
recall is asserted at the issue's thresholds, and the rates are printed (pytest -s).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest
from databases import Database

from signon.importing import import_dataset
from signon.tables import metadata
from signon.verification.evidence import gather_evidence
from signon.verification.facts import Facts, load_facts, resolve_in_memory
from signon.verification.judgement import judge
from signon.verification.policy import auto_verify_reason
from tests.factories import NOW
from tests.shared_data import shared_data
from tests.verification.roster_claims import Case, all_cases

TODAY = NOW.date().isoformat()
US_STATES = 50  # with DC and PR: the roster's jurisdictions are a subset of these


@pytest.fixture(scope="module")
async def imported(app) -> AsyncIterator[Database]:
    """The whole roster imported, for this module's tests; emptied after them."""
    paths = {
        "ocd": shared_data("ocd-division-ids/country-us.csv"),
        "dotgov": shared_data("dotgov-data/current-full.csv"),
        "openstates": shared_data("openstates-people"),
    }
    db = app.state.db
    try:
        for name, path in paths.items():
            await import_dataset(db, name, path, now=NOW)
        yield db
    finally:
        tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
        await db.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(scope="module")
async def facts(imported: Database) -> Facts:
    return await load_facts(imported)


@pytest.fixture(scope="module")
def verdicts(facts: Facts) -> list[tuple[Case, dict[str, bool], bool]]:
    """(case, verified under each policy, jurisdiction found) for every case."""
    found = []
    for case in all_cases(facts, TODAY):
        resolution = resolve_in_memory(facts, case.claim)
        signals = judge(case.claim, resolution, facts, TODAY)
        verified = {
            policy: auto_verify_reason(signals, policy) is not None
            for policy in ("strong", "strong_or_medium")
        }
        found.append((case, verified, resolution.found))
    return found


def _rate(rows: list[tuple[Case, dict[str, bool], bool]], kind: str) -> tuple[float, int]:
    chosen = [verified["strong"] for case, verified, _ in rows if case.kind == kind]
    return (sum(chosen) / len(chosen) if chosen else 0.0), len(chosen)


def test_no_false_claim_is_verified_automatically(verdicts):
    false = Counter(case.kind for case, _, _ in verdicts if not case.true)
    wrong = [
        (policy, case.kind, case.claim)
        for case, verified, _ in verdicts
        for policy, yes in verified.items()
        if yes and not case.true
    ]
    print(f"\nfalse claims judged: {dict(false)}")
    for policy, kind, claim in wrong[:20]:
        print(f"FALSE VERIFICATION ({policy}, {kind}): {claim}")
    assert sum(false.values()) > 10_000 and len(false) >= 10  # every perturbation ran
    assert wrong == []


def test_current_legislators_verify_with_their_roster_email_and_seat(verdicts):
    rate, count = _rate(verdicts, "honest")
    typo_rate, typos = _rate(verdicts, "typo")
    states = {case.claim.state for case, _, _ in verdicts if case.kind == "honest"}
    print(f"\nlegislators: {rate:.2%} of {count} auto-verified ({len(states)} jurisdictions)")
    print(f"with a typed form of the name: {typo_rate:.2%} of {typos}")
    missed = Counter(
        case.claim.state
        for case, verified, _ in verdicts
        if case.kind == "honest" and not verified["strong"]
    )
    print(f"missed by state: {dict(missed.most_common())}")
    assert {"DC", "PR"} <= states and len(states) >= 40
    assert rate >= 0.97 and typo_rate >= 0.97
    unresolved = [
        case.claim
        for case, _, found in verdicts
        if case.kind == "honest" and case.claim.state in ("DC", "PR") and not found
    ]
    assert unresolved == []


def test_mayors_with_a_current_term_verify_with_their_roster_email(verdicts):
    rate, count = _rate(verdicts, "mayor_honest")
    print(f"\nmayors: {rate:.2%} of {count} auto-verified")
    assert count >= 200 and rate >= 0.95


async def test_the_database_path_judges_as_the_memory_path(imported, facts, verdicts):
    """One engine: at confirmation, evidence is the same judgement over the facts read for
    the claim (a sample of every kind of case)."""
    sample = [case for case, _, _ in verdicts][::97]
    assert len(sample) > 500
    for case in sample:
        resolution, stored = await gather_evidence(imported, case.claim, now=NOW)
        in_memory = resolve_in_memory(facts, case.claim)
        expected = judge(case.claim, in_memory, facts, TODAY)
        assert resolution.division_id == in_memory.division_id, case.claim
        assert [(s.kind, s.strength, s.detail) for s in stored] == [
            (s.kind, s.strength, s.detail) for s in expected
        ], case.claim
