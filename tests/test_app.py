from tests.factories import make_campaign


async def test_home_lists_open_campaigns(client, db):
    await make_campaign(db, slug="open-one", title="An open letter")
    await make_campaign(db, slug="draft-one", status="draft", title="A draft letter")
    response = await client.get("/")
    assert response.status_code == 200
    assert "An open letter" in response.text
    assert "A draft letter" not in response.text
