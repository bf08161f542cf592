"""Staff accounts (admins only): list, create, change role, disable and enable."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from signon import staff
from signon.errors import ValidationFailed
from signon.i18n import gettext_ as _
from signon.tables import STAFF_ROLES
from signon.views.staff_auth import staff_required
from signon.vocabulary import StaffRole
from signon.web.csrf import read_form
from signon.web.templating import flash, render


async def _page(
    request: Request, values: dict[str, str], errors: dict[str, list[str]], status_code: int = 200
) -> Response:
    members = await staff.list_staff(request.app.state.db)
    return render(
        request,
        "staff/users.html",
        {"members": members, "values": values, "errors": errors, "roles": STAFF_ROLES},
        status_code=status_code,
    )


@staff_required(admin=True)
async def users(request: Request) -> Response:
    return await _page(request, {"role": StaffRole.STAFF}, {})


@staff_required(admin=True)
async def user_create(request: Request) -> Response:
    form = await read_form(request)
    values = {name: str(form.get(name) or "") for name in ("email", "name", "role")}
    try:
        member = await staff.create_staff(
            request.app.state.db,
            request.state.staff.as_actor(),
            password=str(form.get("password") or ""),
            **values,
        )
    except ValidationFailed as exc:
        return await _page(request, values, exc.errors, status_code=400)
    flash(request, f"Account created for {member.email}.")
    return RedirectResponse(request.url_for("staff:users"), status_code=303)


@staff_required(admin=True)
async def user_update(request: Request) -> Response:
    form = await read_form(request)
    role = form.get("role")
    active = form.get("is_active")
    if active not in (None, "true", "false"):
        raise ValidationFailed({"is_active": [_("Choose true or false.")]})
    member = await staff.update_staff(
        request.app.state.db,
        request.state.staff.as_actor(),
        request.path_params["staff_id"],
        role=str(role) if role is not None else None,
        is_active=None if active is None else active == "true",
    )
    state = "active" if member.is_active else "disabled"
    flash(request, f"{member.email} is now {member.role}, {state}.")
    return RedirectResponse(request.url_for("staff:users"), status_code=303)
