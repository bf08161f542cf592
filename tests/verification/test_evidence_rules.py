"""The judgements of the evidence engine (signon/verification/evidence.py) that need no
query, called directly on a claim and roster roles: no HTTP, no database.

gather_evidence reads the roster, the .gov registry, the vacancies and earlier staff
decisions, then hands the rows to these functions. Three judgements are made inline with
their query and are tested through signing in tests/verification/test_policy.py instead:
the registry's (_domain_signals: federal, another state, the claimed place), the
vacancies' (_vacancy_signals) and a prior verification's expiry (_prior_signals)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from signon.verification.evidence import (
    Claim,
    RosterRole,
    _email_domain,
    _jurisdiction_signal,
    _old_style_signal,
    _roster_signals,
    _state_domain_signals,
)
from signon.verification.jurisdictions import Resolution

TODAY = "2026-06-01"
IMPORTED = {
    "openstates": datetime(2026, 5, 20, tzinfo=UTC),
    "ocd": datetime(2026, 5, 19, tzinfo=UTC),
}
SEAT = "ocd-division/country:us/state:wi/sldl:15"
CLAIM = Claim(
    email="rep.rivera@legis.wisconsin.gov",
    full_name="Dana Rivera",
    title="State Representative",
    office_level="state_legislature",
    jurisdiction="Wisconsin",
    state="WI",
    district="15",
)
RIVERA = RosterRole(
    person_id="ocd-person/rivera",
    name="Dana Rivera",
    other_names=("Dana M. Rivera-Lopez",),
    emails=("rep.rivera@legis.wisconsin.gov",),
    staff_emails=("aide.rivera@legis.wisconsin.gov",),
    retired=False,
    type="lower",
    division_id=SEAT,
    start_date="2025-01-06",
    end_date=None,
)


def kinds(signals) -> dict[str, str]:
    return {signal.kind: signal.strength for signal in signals}


def roster(claim=CLAIM, seat=(RIVERA,), by_email=()):
    return _roster_signals(claim, list(seat), list(by_email), TODAY, IMPORTED)


def test_a_role_is_current_from_its_start_until_the_day_it_ends():
    assert RIVERA.is_current(TODAY)
    assert RIVERA.is_current("2025-01-06")  # from the first day
    assert not RIVERA.is_current("2025-01-05")
    ending = replace(RIVERA, end_date="2026-06-01")
    assert ending.is_current("2026-05-31") and not ending.is_current(TODAY)  # ends that day
    assert not replace(RIVERA, retired=True).is_current(TODAY)
    assert replace(RIVERA, start_date=None, end_date=None).is_current(TODAY)
    assert RIVERA.names() == ("Dana Rivera", "Dana M. Rivera-Lopez")


def test_the_seat_holders_own_listed_email_is_strong():
    [signal] = roster()
    assert (signal.kind, signal.strength) == ("roster_email", "strong")
    assert signal.detail == (
        "The roster lists rep.rivera@legis.wisconsin.gov for Dana Rivera, who holds this seat."
    )
    assert (signal.dataset, signal.dataset_imported_at) == ("openstates", IMPORTED["openstates"])


def test_a_staff_address_of_the_seat_is_a_strong_negative():
    staff = replace(CLAIM, email="aide.rivera@legis.wisconsin.gov")
    assert kinds(roster(staff)) == {"roster_staff_email": "strong_negative"}


def test_the_holders_name_with_another_email_is_only_weak():
    personal = replace(CLAIM, email="dana@gmail.com", full_name="Dana M. Rivera")
    assert kinds(roster(personal)) == {"roster_name": "weak"}
    stranger = replace(CLAIM, email="pat@gmail.com", full_name="Pat Doe")
    assert roster(stranger) == []  # nothing for or against: left for staff


def test_a_former_holder_never_counts_in_favour():
    cases = [
        (replace(RIVERA, retired=True), "Dana Rivera is listed only among retired members"),
        (replace(RIVERA, end_date="2025-01-06"), "Dana Rivera held this role until 2025-01-06"),
        (
            replace(RIVERA, start_date="2027-01-04"),
            "Dana Rivera does not start this role until 2027-01-04",
        ),
    ]
    for role, why in cases:
        [signal] = roster(seat=[role])
        assert (signal.kind, signal.strength) == ("roster_former", "strong_negative")
        assert signal.detail == f"{why} (matched by email)."
        by_name = replace(CLAIM, email="dana@gmail.com")
        [signal] = roster(by_name, seat=[role])
        assert signal.detail == f"{why} (matched by name)."


def test_a_former_role_is_ignored_while_the_person_holds_the_seat_now():
    """Dana Rivera held district 98 until 2025 and holds 15 now: claiming 15 is strong."""
    old = replace(RIVERA, division_id="ocd-division/country:us/state:wi/sldl:98", end_date="2025")
    assert kinds(roster(seat=[RIVERA, old])) == {"roster_email": "strong"}


def test_a_former_role_found_by_email_elsewhere_is_a_strong_negative():
    old = replace(RIVERA, division_id="ocd-division/country:us/state:wi/sldl:98", end_date="2025")
    assert kinds(roster(seat=[], by_email=[old])) == {"roster_former": "strong_negative"}


def test_the_email_of_someone_who_holds_another_office_is_a_strong_negative():
    senator = replace(RIVERA, type="upper", division_id="ocd-division/country:us/state:wi/sldu:5")
    found = roster(seat=[], by_email=[senator])
    assert kinds(found) == {"roster_other_seat": "strong_negative"}
    assert "holds a different office (upper ocd-division/country:us/state:wi/sldu:5)" in (
        found[0].detail
    )
    # The same person's role for the claimed seat is not "another office".
    assert kinds(roster(seat=[RIVERA], by_email=[RIVERA])) == {"roster_email": "strong"}
    # A staff address listed for another office is not the claimant's own office.
    staff = replace(CLAIM, email="aide.rivera@legis.wisconsin.gov")
    assert roster(staff, seat=[], by_email=[senator]) == []


def test_state_domains_are_medium_for_state_offices_only_without_a_roster_address():
    args = ("legis.wisconsin.gov", "wisconsin.gov", "wisconsin.gov is registered to ...")
    [medium] = _state_domain_signals(CLAIM, *args, set(), IMPORTED)
    assert (medium.kind, medium.strength) == ("dotgov_state", "medium")
    [weak] = _state_domain_signals(CLAIM, *args, {"someone@wisconsin.gov"}, IMPORTED)
    assert (weak.kind, weak.strength) == ("dotgov_state", "weak")
    assert weak.detail.endswith("The roster lists another address for the seat.")


def test_a_state_run_subdomain_named_for_the_place_is_weak_for_local_offices():
    council = replace(CLAIM, office_level="municipal", jurisdiction="Fond du Lac")
    where = "wi.gov is registered to the State of Wisconsin"
    [named] = _state_domain_signals(
        council, "clerk.fond-du-lac.wi.gov", "wi.gov", where, set(), IMPORTED
    )
    assert (named.kind, named.strength) == ("state_subdomain", "weak")
    [other] = _state_domain_signals(council, "clerk.madison.wi.gov", "wi.gov", where, set(), {})
    assert (other.kind, other.strength) == ("dotgov_mismatch", "none")
    [bare] = _state_domain_signals(council, "wi.gov", "wi.gov", where, set(), {})
    assert (bare.kind, bare.strength) == ("dotgov_mismatch", "none")


def test_old_style_locality_domains_are_weak_for_their_own_place_and_state():
    council = replace(CLAIM, office_level="municipal", jurisdiction="City of Eau Claire")
    [signal] = _old_style_signal(council, "ci.eauclaire.wi.us", IMPORTED)
    assert (signal.kind, signal.strength, signal.dataset) == ("old_style_domain", "weak", None)
    assert not _old_style_signal(replace(council, jurisdiction="Madison"), "ci.eauclaire.wi.us", {})
    assert not _old_style_signal(replace(council, jurisdiction="Madison"), "ci.madison.mn.us", {})
    assert not _old_style_signal(council, "www.eauclaire.wi.us", {})
    assert not _old_style_signal(council, "eauclaire.wi.us", {})


def test_the_jurisdiction_signal_says_whether_it_was_found_and_is_neutral():
    found = Resolution(True, SEAT, (SEAT,), "Wisconsin Assembly district 15")
    [signal] = [_jurisdiction_signal(found, IMPORTED)]
    assert (signal.kind, signal.strength, signal.detail) == (
        "jurisdiction_found",
        "none",
        "Wisconsin Assembly district 15",
    )
    assert (signal.dataset, signal.dataset_imported_at) == ("ocd", IMPORTED["ocd"])
    missing = _jurisdiction_signal(Resolution(False, None, (), "No such place."), {})
    assert (missing.kind, missing.strength, missing.dataset_imported_at) == (
        "jurisdiction_not_found",
        "none",
        None,
    )


def test_the_email_domain_is_compared_without_case():
    assert _email_domain("Ann@Clerk.Milwaukee.GOV") == "clerk.milwaukee.gov"
    assert _email_domain("odd@name@city.gov") == "city.gov"
