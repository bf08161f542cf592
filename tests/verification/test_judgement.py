"""The evidence judgement as a pure function, on a few fictional facts: one case per
defect class of issue 12 (the whole roster is judged in test_whole_roster.py)."""

from signon.importing.seats import DivisionIndex
from signon.verification.facts import Facts, RosterRole, Vacancy, resolve_in_memory
from signon.verification.judgement import Claim, judge
from signon.verification.policy import auto_verify_reason

US = "ocd-division/country:us"
AZ, OH = f"{US}/state:az", f"{US}/state:oh"
TODAY = "2026-06-01"


def role(pid, name, kind, district, division, *, emails=(), end=None, retired=False, staff=()):
    return RosterRole(
        person_id=pid,
        name=name,
        other_names=(),
        emails=tuple(emails),
        staff_emails=tuple(staff),
        retired=retired,
        type=kind,
        district=district,
        division_id=division,
        start_date="2023-01-09",
        end_date=end,
    )


ROLES = [
    role("sen", "Ana Sol", "upper", "5", f"{AZ}/sldu:5", emails=["asol@azleg.gov"]),
    role("rep", "Ben Roca", "lower", "5", f"{AZ}/sldu:5", emails=["broca@azleg.gov"]),
    role("mover", "Cy Vale", "upper", "7", f"{AZ}/sldu:7", emails=["cvale@azleg.gov"]),
    role("mover", "Cy Vale", "lower", "7", f"{AZ}/sldu:7", end="2025-01-13"),
    role("son", "Joaquin Rey", "lower", "9", f"{AZ}/sldu:9", emails=["rep.rey@azleg.gov"]),
    role("father", "Juan Rey", "lower", "9", f"{AZ}/sldu:9", end="2016-12-31", retired=True),
    role("holder", "Dee Park", "lower", "5", f"{OH}/sldl:5", emails=["rep05@ohiohouse.gov"]),
    role("old", "Ed Stone", "lower", "5", f"{OH}/sldl:5", end="2025-01-06", retired=True),
]
INDEX = DivisionIndex.from_rows(
    [
        (AZ, None, None, None),
        *((f"{AZ}/sldu:{n}", None, None, None) for n in (5, 7, 9, 11)),
        *((f"{AZ}/sldl:{n}", f"{AZ}/sldu:{n}", None, None) for n in (5, 7, 9, 11)),
    ]
)


def facts() -> Facts:
    found = Facts(
        seats={
            "AZ": INDEX,
            "OH": DivisionIndex.from_rows(
                [(OH, None, None, None), (f"{OH}/sldl:5", None, None, None)]
            ),
        },
        vacancies={"AZ": [Vacancy("lower", "5", None), Vacancy("lower", "11", None)]},
    )
    for one in ROLES:
        found.roles_at.setdefault(one.division_id, []).append(one)
        for email in one.emails:
            found.roles_by_email.setdefault(email, []).append(one)
    return found


def verdict(name, email, title, state, district):
    claim = Claim(
        email=email,
        full_name=name,
        title=title,
        office_level="state_legislature",
        jurisdiction="",
        state=state,
        district=district,
    )
    world = facts()
    signals = judge(claim, resolve_in_memory(world, claim), world, TODAY)
    kinds = {signal.kind: signal.strength for signal in signals}
    return auto_verify_reason(signals, "strong") is not None, kinds


def test_the_chamber_is_part_of_the_seat_where_ocd_aliases_it():
    assert verdict("Ben Roca", "broca@azleg.gov", "Representative", "AZ", "5")[0]
    verified, kinds = verdict("Ben Roca", "broca@azleg.gov", "State Senator", "AZ", "5")
    assert not verified and kinds["roster_other_seat"] == "strong_negative"


def test_a_seat_mailbox_needs_its_holders_name():
    verified, kinds = verdict("Ed Stone", "rep05@ohiohouse.gov", "Representative", "OH", "5")
    assert not verified
    assert kinds["roster_email_other_name"] == "strong_negative"
    assert kinds["roster_former"] == "strong_negative"
    verified, kinds = verdict("Zed Quill", "rep05@ohiohouse.gov", "Representative", "OH", "5")
    assert not verified and kinds["roster_email_other_name"] == "strong_negative"
    assert verdict("Dee Park", "rep05@ohiohouse.gov", "Representative", "OH", "5")[0]


def test_a_former_holders_own_name_counts_against_even_with_the_seats_mailbox():
    # The father's name is near enough to the son's for names_match; as written, it is
    # the retired member's.
    verified, kinds = verdict("Juan Rey", "rep.rey@azleg.gov", "Representative", "AZ", "9")
    assert not verified and kinds["roster_former"] == "strong_negative"
    assert verdict("Joaquin Rey", "rep.rey@azleg.gov", "Representative", "AZ", "9")[0]


def test_a_member_who_moved_chambers_does_not_verify_for_the_old_seat():
    verified, kinds = verdict("Cy Vale", "cvale@azleg.gov", "Representative", "AZ", "7")
    assert not verified and kinds["roster_former"] == "strong_negative"
    assert verdict("Cy Vale", "cvale@azleg.gov", "Senator", "AZ", "7")[0]


def test_a_vacancy_blocks_only_a_seat_without_members():
    verified, kinds = verdict("Ben Roca", "broca@azleg.gov", "Representative", "AZ", "5")
    assert verified and kinds["seat_partly_vacant"] == "none"
    verified, kinds = verdict("Flo Gray", "fgray@azleg.gov", "Representative", "AZ", "11")
    assert not verified and kinds["seat_vacant"] == "strong_negative"
