"""The one table of handlers (signon/web/errors.py): every named domain error has a status,
each kind answers the same status, every error speaks Spanish, and an OSError is the
database's 503 only when the database driver met it."""

import importlib
import pkgutil

import httpx
import pytest
from babel.messages.pofile import read_po
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import signon
from signon import errors, i18n
from signon.app import create_app
from signon.web.errors import STATUS, status_for
from tests.factories import log_in, make_staff
from tests.forms import form_post

KIND_STATUS = {
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.TransitionRefused: 409,
    errors.Forbidden: 403,
    errors.TooManyAttempts: 429,
    errors.ServiceUnavailable: 503,
    errors.InvalidLink: 400,
}


def _every_domain_error() -> set[type[errors.DomainError]]:
    # Import every module, so an error defined anywhere in signon/ is seen.
    for module in pkgutil.walk_packages(signon.__path__, "signon."):
        if module.name != "signon.__main__":
            importlib.import_module(module.name)
    found, todo = set(), [errors.DomainError]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


def test_every_named_domain_error_has_its_own_status():
    named = _every_domain_error() - set(KIND_STATUS)
    assert named, "no domain error found"
    missing = sorted(cls.__name__ for cls in named if cls not in STATUS)
    assert not missing, f"add these to signon/web/errors.py STATUS: {missing}"
    assert errors.DomainError not in STATUS  # an error nobody gave a status is a 500


@pytest.mark.parametrize(("kind", "status"), KIND_STATUS.items(), ids=lambda k: str(k))
def test_every_error_of_a_kind_answers_the_same_status(kind, status):
    members = [cls for cls in STATUS if issubclass(cls, kind)]
    assert members
    assert {cls.__name__: STATUS[cls] for cls in members} == {
        cls.__name__: status for cls in members
    }


def test_every_error_message_has_a_spanish_translation():
    with (i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="es")
    own_text = [cls for cls in STATUS if "text" in vars(cls)]
    assert len(own_text) > 25
    untranslated = [cls.__name__ for cls in own_text if not (catalog.get(cls.text) or "").string]
    assert not untranslated


def test_a_subclass_nobody_listed_answers_its_nearest_listed_base():
    class LateToTheTable(errors.CampaignClosed):
        pass

    assert status_for(LateToTheTable()) == 409
    assert status_for(errors.DomainError()) == 500


def test_an_error_is_worded_in_the_language_it_is_raised_in():
    i18n.set_locale("es")
    try:
        spanish = errors.CannotOpen(status="closed").message
    finally:
        i18n.set_locale("en")
    assert spanish == "Una campaña en estado closed no se puede abrir."
    assert errors.CannotOpen(status="closed").message == (
        "A campaign that is closed cannot be opened."
    )


async def test_a_refusal_from_staff_accounts_is_a_spanish_page(client, db):
    admin = await make_staff(db)
    await log_in(client, "admin@example.org")
    client.headers["Accept-Language"] = "es"
    users = "/staff/users"
    response = await form_post(client, users, f"{users}/{admin.id}", {"role": "staff"})
    assert response.status_code == 409
    assert '<html lang="es">' in response.text
    assert "No puede cambiar su propio rol ni desactivar su propia cuenta." in response.text
    missing = await form_post(client, users, f"{users}/4242", {"role": "admin"})
    assert missing.status_code == 404
    assert "No existe esa cuenta de personal." in missing.text


async def test_a_failed_sign_in_is_refused_in_spanish(client, db):
    await make_staff(db)
    client.headers["Accept-Language"] = "es"
    response = await log_in(client, "admin@example.org", "not the password at all")
    assert response.status_code == 403
    assert (
        "Ese correo electrónico y esa contraseña no corresponden a una cuenta de personal activa."
        in response.text
    )


async def _missing_file(request: Request) -> Response:
    # What opening a missing template or data file raises: an OSError, not the database's.
    raise FileNotFoundError(2, "No such file or directory", "/nonexistent/signon-test-file")


async def test_an_oserror_that_is_not_the_database_is_a_500(database_url):
    application = create_app(database_url)
    application.router.routes.append(Route("/missing-file", _missing_file))
    # raise_app_exceptions=False: the 500 page the browser gets, as under uvicorn.
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/missing-file")
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.text
    assert "cannot reach its database" not in response.text
    assert "retry-after" not in response.headers
