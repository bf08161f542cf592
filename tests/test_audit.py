"""The audit log: staff account changes leave rows with actor and before/after, secrets
never do, and every staff member can read the log at /staff/audit."""

import json

import pytest
import sqlalchemy as sa

from signon.audit import CLI, record_audit
from signon.tables import audit_log, staff
from tests.factories import PASSWORD, add_sam_through_the_users_page, log_in, make_staff
from tests.forms import form_post

USERS = "/staff/users"


async def _rows(db) -> list:
    return await db.fetch_all(sa.select(audit_log).order_by(audit_log.c.id))


def _json(value) -> object:
    # asyncpg hands jsonb back as text unless a codec is set.
    return json.loads(value) if isinstance(value, str) else value


async def test_account_changes_are_audited_with_actor_and_before_after(client, db):
    admin = await make_staff(db)
    await log_in(client, "admin@example.org")
    created = await add_sam_through_the_users_page(client)
    assert created.status_code == 303
    sam_id = await db.fetch_val(sa.select(staff.c.id).where(staff.c.email == "sam@example.org"))
    await form_post(client, USERS, f"{USERS}/{sam_id}", {"role": "admin"})
    await form_post(client, USERS, f"{USERS}/{sam_id}", {"role": "admin"})  # no change
    await form_post(client, USERS, f"{USERS}/{sam_id}", {"is_active": "false"})
    await form_post(client, USERS, f"{USERS}/{sam_id}", {"is_active": "true"})

    rows = [row for row in await _rows(db) if row["staff_id"] is not None]
    assert [row["action"] for row in rows] == ["staff.create"] + ["staff.update"] * 3
    for row in rows:
        assert (row["actor"], row["staff_id"]) == ("admin@example.org", admin.id)
        assert (row["object_type"], row["object_id"]) == ("staff", str(sam_id))
        assert row["at"] is not None
    changes = [(_json(row["before"]), _json(row["after"])) for row in rows]
    assert changes == [
        (None, {"email": "sam@example.org", "name": "Sam Staff", "role": "staff"}),
        ({"role": "staff"}, {"role": "admin"}),
        ({"is_active": True}, {"is_active": False}),
        ({"is_active": False}, {"is_active": True}),
    ]


async def test_no_audit_row_ever_holds_a_password_or_its_hash(client, db):
    await make_staff(db)
    await log_in(client, "admin@example.org")
    await add_sam_through_the_users_page(client)
    sam_id = await db.fetch_val(sa.select(staff.c.id).where(staff.c.email == "sam@example.org"))
    await form_post(client, USERS, f"{USERS}/{sam_id}", {"role": "admin"})
    await form_post(client, USERS, f"{USERS}/{sam_id}", {"is_active": "false"})
    hashes = [row[0] for row in await db.fetch_all(sa.select(staff.c.password_hash))]
    rows = await _rows(db)
    assert len(rows) == 4  # the admin's creation, Sam's, and two changes
    for row in rows:
        text = json.dumps([_json(row["before"]), _json(row["after"])]) + str(dict(row))
        assert "$argon2" not in text
        assert PASSWORD not in text
        assert "password" not in text.lower()
        assert not any(h in text for h in hashes)


async def test_staff_members_read_the_audit_log(client, db):
    await make_staff(db, "admin@example.org")
    await make_staff(db, "sam@example.org", role="staff", name="Sam <b>Staff</b>")
    await log_in(client, "sam@example.org")
    page = await client.get("/staff/audit")
    assert page.status_code == 200
    assert "<h1>Audit log</h1>" in page.text
    assert page.text.count("staff.create") == 2
    assert "cli" in page.text
    assert "Sam &lt;b&gt;Staff&lt;/b&gt;" in page.text  # values are shown escaped
    assert "<b>Staff</b>" not in page.text


async def test_the_audit_log_pages_back_through_older_entries(client, db):
    await make_staff(db)
    for n in range(150):
        await record_audit(db, CLI, f"test.entry-{n:03d}", "test", n)
    await log_in(client, "admin@example.org")
    first = await client.get("/staff/audit")
    assert "test.entry-149" in first.text
    assert "test.entry-050" in first.text
    assert "test.entry-049" not in first.text
    link = first.text.split('<a href="?before=')[1].split('"')[0]
    older = await client.get(f"/staff/audit?before={link}")
    assert "test.entry-049" in older.text
    assert "staff.create" in older.text
    assert "test.entry-050" not in older.text
    assert "Older entries" not in older.text


@pytest.mark.parametrize("before", ["abc", "-1", "²", "١٢", "9" * 40, "1e9", ""])
async def test_a_bad_page_marker_shows_the_newest_entries(client, db, before):
    await make_staff(db)
    await log_in(client, "admin@example.org")
    response = await client.get("/staff/audit", params={"before": before})
    assert response.status_code == 200
    assert "staff.create" in response.text
