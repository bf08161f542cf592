"""Bad input (issue 7, part 4): generated submissions to the sign form, the JSON API and
the rules behind them. Whatever comes in, nothing answers 5xx and nothing half-written
stays in the database.

Hypothesis generates 10,000 inputs in all (the max_examples below): unicode of every
kind, control and format characters, values at and far past the length limits, wrong
JSON types, missing and unknown fields, bodies that are not JSON or not UTF-8. Most go
to the pure rules (signing_rules.parse_signature), a few thousand through HTTP, each
checked against the database. Derandomized, so every run tries the same inputs; run with
--hypothesis-show-statistics to see the counts and times (docs/reliability.md).
"""

from __future__ import annotations

import itertools
import json
import random
import unicodedata
from typing import Any
from urllib.parse import urlencode

import pytest
from databases import Database
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from signon.errors import ValidationFailed
from signon.offices import OFFICE_LEVELS, STATES
from signon.signing.rules import FIELDS, LIMITS, REQUIRED, check_as_documented, parse_signature
from tests.factories import make_campaign
from tests.forms import csrf_from

# The same inputs on every run, and no database of past failures; the HTTP tests
# share one database and campaign across examples on purpose (each example checks the
# rows it changed), hence the function-scoped fixture check is off.
SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
# The rules get 1,000 examples of 8 submissions each: Hypothesis's cost is mostly per
# example, so batches make the 8,000 inputs three times quicker to run.
PURE_EXAMPLES = 1000
PURE_BATCH = 8
API_EXAMPLES = 1000
FORM_EXAMPLES = 1000
LEVELS = ("state_legislature", "county", "municipal", "school_board")

# -- what a signer might send ------------------------------------------------------------

# Plausible values, so that many generated submissions pass and reach the database.
# "{n}" in an email becomes a number unique to the run: a new signer each time.
PLAUSIBLE_VALUES = {
    "full_name": ["Ana María Díaz", "Lee", "Seán O'Brien-Smith", "Nguyễn Văn An", "李小龍"],
    "title": ["City Council Member", "Mayor", "State Senator", "Alcaldesa"],
    "office_level": ["county", "municipal", "municipal", "school_board", "tribal"],
    "jurisdiction": ["Saint Paul", "Wisconsin", "Milwaukee County", "Ciudad de Ñuñoa"],
    "state": ["MN", "wi", " ny ", "PR", "DC"],
    "district": ["", "15", "District 15", "HD-15", "Ward 3", "Chittenden-19"],
    "email": ["ana{n}@stpaul.gov", "Ana.Diaz+{n}@StPaul.GOV", "josé{n}@ayuntamiento.gov"],
    "phone": ["", "608-555-0142", "+1 (608) 555-0142 ext. 12"],
    "organization": ["", "Local Progress", "Ciudad Ñ"],
}
OFFICIAL_TEMPLATE = {name: values[0] for name, values in PLAUSIBLE_VALUES.items()}
# Whole submissions drawn in one step: Hypothesis spends its time per draw, and the
# thousands of examples below must stay quick.
_pick = random.Random(7)
PLAUSIBLE = [
    {name: _pick.choice(values) for name, values in PLAUSIBLE_VALUES.items()} for _ in range(300)
] + [  # state legislators may leave the jurisdiction blank: it is their state
    {**OFFICIAL_TEMPLATE, "office_level": "state_legislature", "jurisdiction": "", "state": s}
    for s in ("WI", "ne", " Vt ")
]

ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\t\n",
        "\x00",
        "\x7f",
        "\u202e",
        "\ufeff",
        "\u200d",
        "\ufffd",
        "\u2028",
        "https://example.org",
        "www.spam.ru",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%00",
        "{{ 7*7 }}",
        "🇺🇸" * 60,
        "a" * 199,
        "a" * 200,
        "a" * 201,
        "ℌ𝔢𝔩𝔩𝔬",
        "İ",
        "ß" * 128,
    ]
)
TEXT = st.one_of(
    ODD_TEXT,
    st.text(max_size=40),  # any unicode at all (lone surrogates are below, for JSON)
    st.text(st.characters(categories=["Cc", "Cf", "Co", "Zs", "Zl", "Zp", "Mn"]), max_size=40),
    st.integers(min_value=150, max_value=300).map(lambda n: "é" * n),  # around the limits
    # Huge values, built by repetition: drawing 70,000 characters one by one is slow.
    st.tuples(st.text(min_size=1, max_size=6), st.integers(30, 70_000)).map(lambda t: t[0] * t[1]),
)
# A number with more digits than Python will read or write: json.dumps cannot make it, so
# the API test writes it into the body in place of this marker.
HUGE_NUMBER = "\x00huge number\x00"
HUGE_NUMBER_JSON = "9" * 5000

# JSON can carry what a form cannot: other types, and lone surrogates as \ud800 escapes.
JSON_VALUE = st.one_of(
    TEXT,
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3),
    st.none(),
    st.booleans(),
    st.integers(),
    st.just(HUGE_NUMBER),
    st.floats(),  # NaN and the infinities included
    st.lists(st.text(max_size=5), max_size=3),
    st.lists(st.tuples(st.text(max_size=5), st.text(max_size=5)), max_size=2).map(dict),
)
EXTRA_KEY = st.text(max_size=12).map(lambda key: "x-" + key)  # never csrf_token or a field


@st.composite
def submissions(draw: st.DrawFn, value: st.SearchStrategy) -> dict[str, Any]:
    """A plausible submission with some fields spoiled, dropped or added to."""
    data = dict(draw(st.sampled_from(PLAUSIBLE)))
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(FIELDS))
        if draw(st.integers(0, 3)) == 0:
            data.pop(name, None)
        else:
            data[name] = draw(value)
    if draw(st.integers(0, 4)) == 0:
        data[draw(EXTRA_KEY)] = draw(value)
    return data


_counter = itertools.count()


def fresh_emails(data: dict[str, Any]) -> dict[str, Any]:
    email = data.get("email")
    if isinstance(email, str) and "{n}" in email:
        return {**data, "email": email.replace("{n}", str(next(_counter)))}
    return data


# -- the rules, without I/O ------------------------------------------------------------


def expect_valid_fields(fields: Any, levels: tuple[str, ...]) -> None:
    for name in REQUIRED:
        assert getattr(fields, name), name
    for name, value in fields.as_dict().items():
        if value is not None:
            assert len(value) <= LIMITS[name], name
            assert value == value.strip() and "\x00" not in value, name
            assert not any(unicodedata.category(c) in ("Cc", "Cs", "Co") for c in value), name
    assert fields.state in STATES
    assert fields.office_level in levels
    assert fields.email == fields.email.lower() and "@" in fields.email


ANY_SUBMISSION = st.one_of(
    submissions(JSON_VALUE),
    st.lists(st.tuples(st.text(max_size=12), JSON_VALUE), max_size=4).map(dict),
)


@settings(SETTINGS, max_examples=PURE_EXAMPLES)
@given(
    batch=st.lists(ANY_SUBMISSION, min_size=PURE_BATCH, max_size=PURE_BATCH),
    levels=st.lists(st.sampled_from(OFFICE_LEVELS), min_size=1, unique=True).map(tuple),
)
def test_the_rules_accept_clean_fields_or_say_what_is_wrong(batch, levels):
    for data in batch:
        try:
            fields = parse_signature(data, levels)
        except ValidationFailed as exc:
            assert exc.errors and set(exc.errors) <= set(FIELDS)
            assert all(messages and all(messages) for messages in exc.errors.values())
            continue
        expect_valid_fields(fields, levels)
        # What was accepted is accepted again as it is: stored values are already clean.
        assert parse_signature(fields.as_dict(), levels) == fields


# -- through HTTP, checked against the database -------------------------------------------


TOTALS = "SELECT (SELECT count(*) FROM signatures), (SELECT count(*) FROM email_outbox)"
ROW = "SELECT * FROM signatures WHERE email = $1"


async def raw_fetchrow(db: Database, sql: str, *args: Any) -> Any:
    # Plain asyncpg on the app's pool: thousands of examples, no SQL compiling each time.
    async with db.connection() as connection:
        return await connection.raw_connection.fetchrow(sql, *args)


class Ledger:
    """The row counts the database should hold: each example checks what it changed."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.signatures = 0
        self.emails = 0

    async def expect(self, status: int, expected: Any, ok: tuple[int, ...]) -> None:
        """A refusal changed nothing; an acceptance wrote one whole signature and its
        email (or nothing, when it repeated an earlier signer)."""
        assert status < 500, status
        event(f"status {status}")  # the mix shows in --hypothesis-show-statistics
        signatures_now, emails_now = await raw_fetchrow(self.db, TOTALS)
        if expected is None:
            assert status not in ok, status
            assert (signatures_now, emails_now) == (self.signatures, self.emails), (
                "a refused submission left rows behind"
            )
            return
        assert status in ok, status
        row = await raw_fetchrow(self.db, ROW, expected.email)
        assert row is not None, "an accepted submission is not in the database"
        if signatures_now == self.signatures:  # a repeat of an earlier signer, by design
            return
        assert (signatures_now, emails_now) == (self.signatures + 1, self.emails + 1)
        assert {name: row[name] for name in FIELDS} == expected.as_dict()
        assert row["status"] == "unconfirmed" and row["pending_change"] is None
        self.signatures, self.emails = signatures_now, emails_now


def oracle(data: object, levels: tuple[str, ...], *, documented: bool = False) -> Any:
    """What the rules make of a submission: its fields, or None when they refuse it. The
    JSON API (documented=True) also takes its documented values exactly."""
    if not isinstance(data, dict):
        return None
    try:
        if documented:
            check_as_documented(data, levels)
        return parse_signature(data, levels)
    except ValidationFailed:
        return None


@pytest.fixture
async def campaign(db):
    return await make_campaign(db, allowed_levels=list(LEVELS))


@pytest.fixture
def ledger(db, campaign) -> Ledger:
    return Ledger(db)


API_BODIES = st.one_of(
    submissions(JSON_VALUE).map(lambda data: ("json", data)),
    st.binary(max_size=64).map(lambda raw: ("raw", raw)),  # not JSON, not UTF-8
    st.sampled_from([b"[]", b"null", b'"text"', b"{", b"1e999", b'{"email": NaN}']).map(
        lambda raw: ("raw", raw)
    ),
)


@settings(SETTINGS, max_examples=API_EXAMPLES)
@given(body=API_BODIES, content_type=st.sampled_from(["application/json"] * 9 + ["text/plain"]))
async def test_the_json_api_never_fails_and_never_half_writes(
    client, campaign, ledger, body, content_type
):
    kind, payload = body
    if kind == "json":
        text = json.dumps(fresh_emails(payload))
        raw = text.replace(json.dumps(HUGE_NUMBER), HUGE_NUMBER_JSON).encode()
    else:
        raw = payload
    try:
        parsed = json.loads(raw)
    except ValueError:  # also the integers longer than Python reads
        parsed = None
    expected = (
        oracle(parsed, LEVELS, documented=True) if content_type == "application/json" else None
    )
    if expected is not None and len(raw) > 64 * 1024:
        expected = None
    response = await client.post(
        f"/api/v1/campaigns/{campaign.slug}/signatures",
        content=raw,
        headers={"content-type": content_type},
    )
    await ledger.expect(response.status_code, expected, ok=(200, 201))
    body_json = response.json()
    if expected is None:
        assert response.status_code == 422 and set(body_json) == {"errors"}
    assert "Traceback" not in response.text


FORM_VALUE = st.one_of(TEXT, st.binary(max_size=20))  # bytes: maybe not UTF-8 at all


@pytest.fixture
async def form_token(client, campaign) -> str:
    return csrf_from((await client.get(f"/c/{campaign.slug}")).text)


@settings(SETTINGS, max_examples=FORM_EXAMPLES)
@given(data=submissions(FORM_VALUE))
async def test_the_sign_form_never_fails_and_never_half_writes(
    client, campaign, ledger, form_token, data
):
    data = fresh_emails(data)
    # What the server reads: UTF-8 text, bad bytes replaced (and then refused as a whole).
    seen = {
        name: value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        for name, value in data.items()
    }
    refused_as_text = any("\x00" in value or "\ufffd" in value for value in seen.values())
    values = {name: str(seen.get(name) or "") for name in FIELDS}
    expected = None if refused_as_text else oracle(values, LEVELS)
    response = await client.post(
        f"/c/{campaign.slug}/sign",
        content=urlencode({**data, "csrf_token": form_token}),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    await ledger.expect(response.status_code, expected, ok=(303,))
    if expected is None:
        assert response.status_code in (400, 413), response.status_code
        assert "Traceback" not in response.text
