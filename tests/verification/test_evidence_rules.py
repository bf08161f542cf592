"""The rules of the evidence judgement (signon/verification/judgement.py), called directly
on hand-built facts: no HTTP, no database.

`judge` is pure over the `Facts` that signon/verification/facts.py loads; these tests
build small `Facts` by hand and call `judge`, or its public parts (roster_signals,
domain_signals, email_domain) where one rule is clearer alone. The defect classes of
issue 12 are in test_judgement.py, the whole roster in test_whole_roster.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from signon.verification.facts import Facts, Registered, RosterRole
from signon.verification.judgement import (
    Claim,
    domain_signals,
    email_domain,
    judge,
    roster_signals,
)
from signon.verification.jurisdictions import Resolution

TODAY = "2026-06-01"
IMPORTED = {
    "openstates": datetime(2026, 5, 20, tzinfo=UTC),
    "ocd": datetime(2026, 5, 19, tzinfo=UTC),
    "dotgov": datetime(2026, 5, 18, tzinfo=UTC),
}
SEAT = "ocd-division/country:us/state:wi/sldl:15"
FOUND = Resolution(True, SEAT, (SEAT,), "Wisconsin Assembly district 15")
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
    district="15",
    division_id=SEAT,
    start_date="2025-01-06",
    end_date=None,
)
WISCONSIN_GOV = Registered("wisconsin.gov", "State or territory", "State of Wisconsin", "WI")
WI_GOV = Registered("wi.gov", "State or territory", "State of Wisconsin", "WI")


def kinds(signals) -> dict[str, str]:
    return {signal.kind: signal.strength for signal in signals}


def facts(*roles: RosterRole, domains: tuple[Registered, ...] = ()) -> Facts:
    found = Facts(imported=dict(IMPORTED), domains={row.domain: row for row in domains})
    for one in roles:
        found.roles_at.setdefault(one.division_id, []).append(one)
        for email in one.emails:
            found.roles_by_email.setdefault(email, []).append(one)
    return found


def roster(claim=CLAIM, seat=(RIVERA,), by_email=()):
    return roster_signals(claim, FOUND, list(seat), list(by_email), TODAY, facts())


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
    # Through judge: the seat's roles are found at the resolved division by chamber
    # and district.
    signals = judge(CLAIM, FOUND, facts(RIVERA), TODAY)
    [signal] = [one for one in signals if one.kind.startswith("roster")]
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


def test_the_seats_mailbox_with_another_name_is_a_strong_negative():
    # New in the rewritten engine (not in the old module): a seat's mailbox passes to
    # the next holder, so the email names the seat and the name must name the person.
    stranger = replace(CLAIM, full_name="Pat Doe")
    assert kinds(roster(stranger)) == {"roster_email_other_name": "strong_negative"}


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
    old = replace(
        RIVERA,
        district="98",
        division_id="ocd-division/country:us/state:wi/sldl:98",
        end_date="2025",
    )
    assert kinds(roster(seat=[RIVERA, old])) == {"roster_email": "strong"}


def test_a_former_role_found_by_email_elsewhere_is_a_strong_negative():
    old = replace(
        RIVERA,
        district="98",
        division_id="ocd-division/country:us/state:wi/sldl:98",
        end_date="2025",
    )
    assert kinds(roster(seat=[], by_email=[old])) == {"roster_former": "strong_negative"}


def test_the_email_of_someone_who_holds_another_office_is_a_strong_negative():
    senator = replace(
        RIVERA, type="upper", district="5", division_id="ocd-division/country:us/state:wi/sldu:5"
    )
    found = roster(seat=[], by_email=[senator])
    assert kinds(found) == {"roster_other_seat": "strong_negative"}
    # The detail now names the district too (the role's type, district and division).
    assert "holds a different office (upper 5 ocd-division/country:us/state:wi/sldu:5)" in (
        found[0].detail
    )
    # The same person's role for the claimed seat is not "another office".
    assert kinds(roster(seat=[RIVERA], by_email=[RIVERA])) == {"roster_email": "strong"}
    # A staff address listed for another office is not the claimant's own office.
    staff = replace(CLAIM, email="aide.rivera@legis.wisconsin.gov")
    assert roster(staff, seat=[], by_email=[senator]) == []


def test_state_domains_are_medium_for_state_offices_only_without_a_roster_address():
    world = facts(domains=(WISCONSIN_GOV,))
    [medium] = domain_signals(CLAIM, set(), world)
    assert (medium.kind, medium.strength) == ("dotgov_state", "medium")
    assert (medium.dataset, medium.dataset_imported_at) == ("dotgov", IMPORTED["dotgov"])
    [weak] = domain_signals(CLAIM, {"someone@wisconsin.gov"}, world)
    assert (weak.kind, weak.strength) == ("dotgov_state", "weak")
    assert weak.detail.endswith("The roster lists another address for the seat.")


def test_a_state_run_subdomain_named_for_the_place_is_weak_for_local_offices():
    council = replace(
        CLAIM, office_level="municipal", jurisdiction="Fond du Lac", title="Alder", district=None
    )
    world = facts(domains=(WI_GOV,))
    named = replace(council, email="clerk@clerk.fond-du-lac.wi.gov")
    assert kinds(domain_signals(named, set(), world)) == {"state_subdomain": "weak"}
    other = replace(council, email="clerk@clerk.madison.wi.gov")
    assert kinds(domain_signals(other, set(), world)) == {"dotgov_mismatch": "none"}
    bare = replace(council, email="clerk@wi.gov")
    assert kinds(domain_signals(bare, set(), world)) == {"dotgov_mismatch": "none"}


def test_old_style_locality_domains_are_weak_for_their_own_place_and_state():
    council = replace(
        CLAIM,
        office_level="municipal",
        jurisdiction="City of Eau Claire",
        email="mayor@ci.eauclaire.wi.us",
    )
    [signal] = domain_signals(council, set(), facts())
    assert (signal.kind, signal.strength, signal.dataset) == ("old_style_domain", "weak", None)
    madison = replace(council, jurisdiction="Madison")
    assert domain_signals(madison, set(), facts()) == []
    assert domain_signals(replace(madison, email="mayor@ci.madison.mn.us"), set(), facts()) == []
    assert domain_signals(replace(council, email="a@www.eauclaire.wi.us"), set(), facts()) == []
    assert domain_signals(replace(council, email="a@eauclaire.wi.us"), set(), facts()) == []


def test_the_jurisdiction_signal_says_whether_it_was_found_and_is_neutral():
    personal = replace(CLAIM, email="dana@gmail.com", full_name="Pat Doe")
    [signal] = judge(personal, FOUND, facts(), TODAY)
    assert (signal.kind, signal.strength, signal.detail) == (
        "jurisdiction_found",
        "none",
        "Wisconsin Assembly district 15",
    )
    assert (signal.dataset, signal.dataset_imported_at) == ("ocd", IMPORTED["ocd"])
    missing = Resolution(False, None, (), "No such place.")
    [signal] = judge(personal, missing, Facts(), TODAY)
    assert (signal.kind, signal.strength, signal.dataset_imported_at) == (
        "jurisdiction_not_found",
        "none",
        None,
    )
    several = Resolution(False, None, (SEAT, f"{SEAT}a"), "Two divisions fit.")
    [signal] = judge(personal, several, facts(), TODAY)
    assert (signal.kind, signal.strength) == ("jurisdiction_ambiguous", "none")


def test_the_email_domain_is_compared_without_case():
    assert email_domain("Ann@Clerk.Milwaukee.GOV") == "clerk.milwaukee.gov"
    assert email_domain("odd@name@city.gov") == "city.gov"
