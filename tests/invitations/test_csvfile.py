"""Reading invitee lists as staff export them (pure: no database)."""

import pytest

from signon.errors import ValidationFailed
from signon.invitations.csvfile import read_invitees


def test_a_plain_file_gives_its_invitees_with_their_details():
    found = read_invitees(
        b"email,full_name,title,office_level,state,district,language\n"
        b"Ana.Diaz@StPaul.gov,Ana Diaz,City Council Member,municipal,mn,Ward 3,es\n"
        b"bo@madison.gov,,,,,,\n"
    )
    assert found.bad_rows == []
    ana, bo = found.invitees
    assert (ana.line, ana.email, ana.locale) == (2, "ana.diaz@stpaul.gov", "es")
    assert ana.details == {
        "full_name": "Ana Diaz",
        "title": "City Council Member",
        "office_level": "municipal",
        "state": "MN",
        "district": "3",  # read as the sign form reads it
    }
    assert (bo.email, bo.locale, bo.details) == ("bo@madison.gov", None, {})


def test_excel_quirks_bom_crlf_semicolons_and_quoted_fields():
    data = (
        "\ufeffEmail;Full Name;Title\r\n"
        'ana@stpaul.gov;"Díaz; Ana";"Council Member, Ward 3"\r\n'
        '"bo@madison.gov";"Bo ""B"" Lee";Mayor\r\n'
        ";;\r\n"
    ).encode()
    found = read_invitees(data)
    assert found.bad_rows == []
    assert [(i.email, i.details["full_name"], i.details["title"]) for i in found.invitees] == [
        ("ana@stpaul.gov", "Díaz; Ana", "Council Member, Ward 3"),
        ("bo@madison.gov", 'Bo "B" Lee', "Mayor"),
    ]


def test_bad_rows_are_listed_with_their_line_and_reason_and_good_rows_kept():
    found = read_invitees(
        b"email,state,office_level\n"
        b"not-an-address,WI,\n"
        b"ok@wi.gov,WI,state_legislature\n"
        b"x@wi.gov,Wisconsin,\n"
        b"y@wi.gov,WI,senate\n"
        b"OK@wi.gov,WI,\n"
        b",WI,\n"
        b"z@wi.gov,WI,,extra\n"
    )
    assert [i.email for i in found.invitees] == ["ok@wi.gov"]
    reasons = {bad.line: bad.reason for bad in found.bad_rows}
    assert sorted(reasons) == [2, 4, 5, 6, 7, 8]
    assert "not an email address" in reasons[2]
    assert "“state”" in reasons[4]
    assert "office_level" in reasons[5]
    assert "line 3" in reasons[6]
    assert "missing" in reasons[7]
    assert "more cells" in reasons[8]


def test_a_quoted_field_across_lines_is_reported_at_the_line_it_starts():
    found = read_invitees(b'email,full_name\na@x.gov,"Ana\nDiaz"\nbad,Bo\n')
    assert [(i.email, i.details["full_name"]) for i in found.invitees] == [("a@x.gov", "Ana Diaz")]
    assert [bad.line for bad in found.bad_rows] == [4]


def test_a_file_in_another_encoding_is_refused_naming_the_line():
    latin1 = "email,full_name\na@x.gov,Ana\nb@x.gov,Muñoz\n".encode("latin-1")
    with pytest.raises(ValidationFailed) as refused:
        read_invitees(latin1)
    assert "line 3" in refused.value.errors["file"][0]
    assert "UTF-8" in refused.value.errors["file"][0]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"full_name,title\nAna,Mayor\n", "email"),
        (b"email,shoe_size\na@x.gov,9\n", "shoe_size"),
    ],
)
def test_a_file_without_an_email_column_or_with_unknown_columns_is_refused(data, words):
    with pytest.raises(ValidationFailed) as refused:
        read_invitees(data)
    assert words in refused.value.errors["file"][0]


def test_10000_rows_are_read():
    rows = "".join(f"member{n}@legis.wi.gov,Member {n},WI\n" for n in range(10_000))
    found = read_invitees(("email,full_name,state\n" + rows).encode())
    assert len(found.invitees) == 10_000
    assert found.invitees[-1].line == 10_001
    assert found.bad_rows == []


def test_control_characters_and_overlong_values_are_bad_rows():
    long_name = "A" * 201
    found = read_invitees(f"email,full_name\na@x.gov,{long_name}\nb@x.gov,Bo\u200bLee\n".encode())
    assert found.invitees == []
    assert [bad.line for bad in found.bad_rows] == [2, 3]
