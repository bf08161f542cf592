"""The `signon` command line (SPEC section 3): one click group; each docstring is its help.

Commands call the same domain functions as the staff pages, acting as the audit log's
"cli" actor. Who migrates (README, docs/deploy.md): `signon migrate` always; in development
every other command that touches the database migrates first too (under the lock, a no-op
when the schema is current), so `signon demo` works on an empty database; in production
only `signon migrate` (the release step) does, and the others refuse to run on a schema
behind the code. The worker never migrates: it starts with any schema and retries.
Modules that load the database drivers are imported inside the commands: `signon --help`
stays instant, reads no configuration and starts no database.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import warnings
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from signon import settings

if TYPE_CHECKING:
    from databases import Database

    from signon.state import ProcessState

T = TypeVar("T")

# Where a domain field is given under another name on the command line.
OPTION_NAMES = {"body_markdown": "body-file", "allowed_levels": "levels"}


class Refused(click.ClickException):
    """One or more problems a person can fix, shown one per line and exit status 1."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.lines:
            click.echo(f"Error: {line}", err=True)


class SignonGroup(click.Group):
    """Turns configuration and domain errors into messages, in one place for all commands."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("prog_name", "signon")  # also under `python -m signon`
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        from signon.errors import DomainError, ValidationFailed

        try:
            return super().invoke(ctx)
        except settings.ConfigurationError as exc:
            raise Refused([str(exc)]) from exc
        except ValidationFailed as exc:
            raise Refused(
                [
                    f"{OPTION_NAMES.get(field, field).replace('_', '-')}: {message}"
                    for field, messages in exc.errors.items()
                    for message in messages
                ]
            ) from exc
        except DomainError as exc:
            raise Refused([exc.message]) from exc


@click.group(cls=SignonGroup)
def main() -> None:
    """Signon: sign-on letters and statements for elected officials.

    With DATABASE_URL unset, commands use an embedded PostgreSQL kept under ./var/.
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    # pgserver warns when XDG_RUNTIME_DIR is unset (root, containers); it works regardless.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    logging.getLogger("signon").setLevel(logging.INFO)


def _migrated_url(migrate: bool | None = None) -> str:
    """The database URL (starting the embedded server if need be), at the latest migration.

    `migrate`: apply pending migrations (default: in development only); otherwise refuse a
    schema that is behind the code.
    """
    from signon import db

    url = db.resolve_database_url()
    found = asyncio.run(_check_connection(url))
    if migrate is None:
        migrate = not settings.is_production()
    if migrate:
        db.migrate(url)
    elif found != db.latest_revision():
        raise Refused(
            [
                f"The database schema is at {found or 'no migration'}, the code expects "
                f"{db.latest_revision()}: run `signon migrate` first (the release step)."
            ]
        )
    return url


async def _check_connection(url: str) -> str | None:
    """Fail with one clear line, not a driver traceback, when the database cannot be used.

    Returns the schema's revision (None before the first migration).
    """
    import asyncpg

    from signon.db import sqlalchemy_url

    try:
        dsn = sqlalchemy_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)
        cache = {} if settings.statement_cache() else {"statement_cache_size": 0}
        connection = await asyncpg.connect(dsn, timeout=10, **cache)
    except (OSError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise Refused([f"Cannot connect to the database: {exc}"]) from exc
    try:
        if await connection.fetchval("SELECT to_regclass('alembic_version') IS NULL"):
            return None
        return await connection.fetchval("SELECT version_num FROM alembic_version")
    finally:
        await connection.close()


def _run(work: Callable[[Database], Awaitable[T]], *, schema: bool = True) -> T:
    """Migrate (or check the schema, see _migrated_url), then run `work` with a connected
    database and return its result. `schema=False` skips both (the worker)."""
    if schema:
        url = _migrated_url()
    else:
        from signon import db

        url = db.resolve_database_url()
        asyncio.run(_check_connection(url))

    async def connected() -> T:
        from signon.db import make_database

        database = make_database(url, min_size=1, max_size=2)
        await database.connect()
        try:
            return await work(database)
        finally:
            await database.disconnect()

    return asyncio.run(connected())


def _run_with_state(work: Callable[[Database, ProcessState], Awaitable[T]]) -> T:
    """_run, with a ProcessState built as create_app builds it (for the PDF renders: its
    rendering processes) and closed when `work` is done."""

    async def with_state(db: Database) -> T:
        from signon.state import ProcessState

        process = ProcessState.build(db)
        try:
            return await work(db, process)
        finally:
            await process.close()

    return _run(with_state)


def _now() -> datetime:
    """The wall clock, read here only: a command reads it once and passes it in as `now`
    to every rule that depends on the time, as the web app passes app.state.clock()."""
    from signon.campaigns import now_utc

    return now_utc()


def _public_url(route: str, **params: str) -> str:
    """An absolute link, from the app's own route table (URLs are never hand-built)."""
    from starlette.routing import Router

    from signon.views.routes import routes

    return settings.BASE_URL + str(Router(routes()).url_path_for(route, **params))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=settings.PORT, show_default=True, help="Port (PORT).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--reload", is_flag=True, help="Restart when the code changes (development).")
def serve(host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the web app (in development, after applying pending migrations).

    Forwarded headers are trusted from FORWARDED_ALLOW_IPS only; each request is logged
    once, in LOG_FORMAT.
    """
    import uvicorn

    from signon.logconfig import logging_config

    settings.secret_key()  # refuse to start without a safe key, before touching anything
    url = _migrated_url()
    from signon.web.server import UVICORN_OPTIONS

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "loop": "uvloop",
        # Timeouts for slow headers and idle keep-alive connections (signon/web/server.py).
        **UVICORN_OPTIONS,
        # The app applies FORWARDED_ALLOW_IPS itself (signon/web/proxy.py); uvicorn's own
        # would trust 127.0.0.1 by default. Requests are logged by the app, once.
        "proxy_headers": False,
        "access_log": False,
        "log_config": logging_config(),
    }
    if workers == 1 and not reload:
        from signon.app import create_app

        _exit_normally_on_sigterm()
        uvicorn.run(create_app(url), **options)
        return
    # Worker and reloader processes import the app afresh, and settings reads the database
    # from the environment: the one place Signon writes os.environ, so that they use the
    # database resolved here (the embedded server lives as long as this process).
    os.environ["DATABASE_URL"] = url
    if reload:
        options["reload_dirs"] = [str(settings.PROJECT_DIR / "signon")]
    uvicorn.run("signon.app:create_app", factory=True, workers=workers, reload=reload, **options)


def _exit_normally_on_sigterm() -> None:
    """Let SIGTERM end `serve` through Python's normal exit, as Ctrl-C does.

    uvicorn shuts down gracefully, then re-raises the signal it caught; with SIGTERM's
    default action the process would die there without running atexit handlers, and the
    embedded PostgreSQL would keep running. (uvicorn's multi-process and reload
    supervisors return normally, so they need no help.)
    """
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))


@main.command()
def migrate() -> None:
    """Apply the database migrations (Alembic upgrade to head), under a lock: processes
    that start together wait for each other's."""
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    _migrated_url(migrate=True)
    click.echo("The database schema is up to date.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return click.get_text_stream("stdin").readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@main.command("create-staff")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--admin", is_flag=True, help="Make an admin (manages staff accounts).")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
def create_staff(email: str, name: str, admin: bool, password_stdin: bool) -> None:
    """Create a staff account.

    The password is asked for twice at a hidden prompt, or read from the first line of
    standard input with --password-stdin.
    """
    from signon import staff
    from signon.audit import CLI
    from signon.vocabulary import StaffRole

    password = _read_password(password_stdin)
    role = StaffRole.ADMIN if admin else StaffRole.STAFF
    staff.validate_staff_fields(email, name, password, role)  # fail before any database work
    member = _run(
        lambda db: staff.create_staff(db, CLI, email=email, name=name, password=password, role=role)
    )
    click.echo(f"Created {member.role} account {member.email}.")
    click.echo(f"Sign in at {_public_url('staff:login')}")


@main.command()
@click.option(
    "--signers",
    default=48,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="How many fictional signers to add, in every lifecycle state.",
)
def demo(signers: int) -> None:
    """Load, or replace, the open demo letter at /c/demo, with fictional signers.

    The signers are spread over 24 states, most of them verified, with evidence like real
    signers'. Prints the letter's address and a staff login: the admin account
    demo@signon.example, which gets a fresh random password on every run.
    """
    from signon.demo import load_demo

    now = _now()
    login = _run(lambda db: load_demo(db, signers, now=now))
    click.echo(f"Demo letter:  {_public_url('campaigns:detail', slug=login.slug)}")
    click.echo(f"Staff login:  {_public_url('staff:login')}")
    click.echo(f"  email:      {login.email}")
    click.echo(f"  password:   {login.password}")
    click.echo("Start the server with: signon serve")


@main.group()
def campaign() -> None:
    """Create, open and close campaigns."""


@campaign.command("create")
@click.option("--slug", required=True, help="Its address: /c/SLUG (e.g. eats-act-2026).")
@click.option("--title", required=True)
@click.option(
    "--body-file",
    required=True,
    type=click.File("r", encoding="utf-8"),
    help="The text, in Markdown ('-' reads stdin).",
)
@click.option("--kind", default="letter", show_default=True, help="letter or statement.")
@click.option("--goal", default="", help="Number of signers aimed for.")
@click.option(
    "--auto-verify",
    default="strong",
    show_default=True,
    help="off, strong or strong_or_medium: evidence that verifies a signer without review.",
)
@click.option("--levels", default="", help="Office levels that may sign, e.g. county,municipal.")
def create_campaign(
    slug: str, title: str, body_file: IO[str], kind: str, goal: str, auto_verify: str, levels: str
) -> None:
    """Create a draft campaign (open it with: signon campaign open SLUG)."""
    from signon import campaign_rules, campaigns
    from signon.audit import CLI

    fields = campaign_rules.parse_campaign_fields(
        {
            "slug": slug,
            "title": title,
            "body_markdown": body_file.read(),
            "kind": kind,
            "goal": goal,
            "auto_verify": auto_verify,
            "allowed_levels": levels,
        }
    )
    created = _run(lambda db: campaigns.create_campaign(db, CLI, fields))
    click.echo(f"Created draft {created.kind} {created.slug!r}: {created.title}")


@campaign.command("open")
@click.argument("slug")
def open_campaign(slug: str) -> None:
    """Open a draft campaign for signatures."""
    from signon import campaigns
    from signon.audit import CLI

    opened = _run(lambda db: campaigns.open_campaign(db, CLI, slug))
    click.echo(f"Opened {opened.slug!r}: {_public_url('campaigns:detail', slug=opened.slug)}")


@campaign.command("close")
@click.argument("slug")
def close_campaign(slug: str) -> None:
    """Close an open campaign: it stops taking signatures."""
    from signon import campaigns
    from signon.audit import CLI

    closed = _run(lambda db: campaigns.close_campaign(db, CLI, slug))
    click.echo(f"Closed {closed.slug!r}.")


@main.command()
@click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron or a test).")
def worker(once: bool) -> None:
    """Send queued email through SMTP_URL, retrying with backoff while it is down.

    With SMTP_URL unset, each message is written to the log and kept in the outbox, where
    staff can read it (/staff/outbox). Several workers may run side by side. It never
    migrates, and keeps running while the database is away; SIGTERM or Ctrl-C lets it
    finish the message in hand, then it exits with status 0.
    """
    from signon import mail
    from signon.logconfig import configure_logging

    configure_logging()

    async def run(db: Database) -> int:
        if once:
            return await mail.deliver_due(db, settings.SMTP_URL)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await mail.run_worker(db, settings.SMTP_URL, stop=stop)
        return 0

    sent = _run(run, schema=False)
    if once:
        click.echo(f"Sent {sent} message(s).")


class _ProgressBar:
    """A click progress bar while an import reads its file, on a terminal only: logs and
    pipes get the summary alone."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.done = 0
        self.enabled = click.get_text_stream("stdout").isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=self.label)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


# Enough to see what went wrong; the count says how many more there were.
SKIPPED_SHOWN = 100


def _import(dataset: str, path: str, **options: object) -> None:
    from pathlib import Path

    from signon.importing import import_dataset

    progress = _ProgressBar(f"Reading {dataset}")
    now = _now()
    try:
        report = _run(
            lambda db: import_dataset(
                db, dataset, Path(path), now=now, progress=progress, **options
            )
        )
    finally:
        progress.close()
    counts = ", ".join(f"{count} {name}" for name, count in report.counts)
    click.echo(
        f"Imported {report.rows} {dataset} rows{f' ({counts})' if counts else ''} from "
        f"{report.source} in {report.seconds:.1f} s; sha256 {report.sha256}."
    )
    if report.skipped:
        plural = "s" if len(report.skipped) != 1 else ""
        click.echo(f"Skipped {len(report.skipped)} row{plural} that could not be read:")
        for skipped in report.skipped[:SKIPPED_SHOWN]:
            click.echo(f"  {skipped}")
        if len(report.skipped) > SKIPPED_SHOWN:
            click.echo(f"  … and {len(report.skipped) - SKIPPED_SHOWN} more.")
    for note in report.notes:
        click.echo(f"Note: {note}")


@main.group("import")
def import_group() -> None:
    """Import the public datasets that verification reads (staff see them at
    /staff/datasets).

    Each import replaces that dataset in one transaction: a failed import leaves the
    previous data as it was. Rows that cannot be read are skipped and listed.
    """


_FILE = click.Path(exists=True, dir_okay=False)


@import_group.command("dotgov")
@click.argument("file", type=_FILE)
def import_dotgov(file: str) -> None:
    """The .gov registry: current-full.csv of cisagov/dotgov-data."""
    _import("dotgov", file)


@import_group.command("ocd")
@click.argument("file", type=_FILE)
def import_ocd(file: str) -> None:
    """OCD division ids: identifiers/country-us.csv of opencivicdata/ocd-division-ids.

    Import it before Open States: roster seats are resolved against the divisions.
    """
    _import("ocd", file)


@import_group.command("openstates")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--states",
    metavar="XX,YY",
    help="Read only these states' folders (USPS codes); default: every state in DIRECTORY.",
)
def import_openstates(directory: str, states: str | None) -> None:
    """State legislators, executives and mayors: a clone of openstates/people (the
    folder that holds data/<state>/ and settings.yml)."""
    if states is None:
        _import("openstates", directory)
    else:
        _import("openstates", directory, states=[s.strip() for s in states.split(",") if s.strip()])


@import_group.command("congress")
@click.argument("file", type=_FILE)
def import_congress(file: str) -> None:
    """Members of Congress: legislators-current.yaml of unitedstates/congress-legislators."""
    _import("congress", file)


@import_group.command("govturls")
@click.argument("file", type=_FILE)
def import_govturls(file: str) -> None:
    """Government domains outside .gov: 1_govt_urls_full.csv of GSA/govt-urls (a weak
    signal for local officials' emails; the list is not kept current)."""
    _import("govturls", file)


@campaign.command("deliver")
@click.argument("slug")
def deliver_campaign(slug: str) -> None:
    """Deliver a closed letter: render its PDF once, freeze it and record its SHA-256.

    From then on the public PDF is that file, byte for byte.
    """
    from signon.audit import CLI
    from signon.letter.delivery import deliver_campaign as deliver

    now = _now()
    done = _run_with_state(lambda db, process: deliver(db, process, CLI, slug, now=now))
    click.echo(f"Delivered {slug!r} with {done.signer_count:,} signatories.")
    click.echo(f"SHA-256 of the delivered PDF: {done.sha256}")


@main.group("export")
def export_group() -> None:
    """Export a campaign: the letter as PDF, or its signatures as CSV."""


@export_group.command("pdf")
@click.argument("slug")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write."
)
@click.option(
    "--state",
    default=None,
    help="Only this state's packet (USPS code, e.g. WI): addressed to its members of "
    "Congress, listing its signatories.",
)
def export_pdf(slug: str, output: str, state: str | None) -> None:
    """Write the letter with its verified signatories as a PDF.

    A delivered letter is written exactly as delivered (its SHA-256 is unchanged).
    """
    from pathlib import Path

    from signon.campaigns import get_campaign
    from signon.letter import document

    now = _now()

    async def work(db: Database, process: ProcessState) -> document.PdfFile:
        campaign = await get_campaign(db, slug)
        if state:
            return await document.packet_pdf(db, process, campaign, state, now=now, wait=True)
        return await document.letter_pdf(db, process, campaign, now=now, wait=True)

    found = _run_with_state(work)
    Path(output).write_bytes(found.content or b"")
    click.echo(f"Wrote {output} ({len(found.content or b''):,} bytes).")


@export_group.command("csv")
@click.argument("slug")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write."
)
def export_csv(slug: str, output: str) -> None:
    """Write every signature of the campaign as CSV (staff data: includes emails).

    Cells that a spreadsheet could run as a formula start with an apostrophe.
    """
    from pathlib import Path

    from signon.campaigns import get_campaign
    from signon.letter import exports

    async def work(db: Database) -> str:
        campaign = await get_campaign(db, slug)
        return "".join([chunk async for chunk in exports.csv_chunks(db, campaign.id)])

    text = _run(work)
    Path(output).write_text(text, encoding="utf-8", newline="")
    click.echo(f"Wrote {output} ({max(text.count(chr(10)) - 1, 0):,} signatures).")


def _invite_links() -> Any:
    from starlette.routing import Router

    from signon.views.invitations import RouteLinks
    from signon.views.routes import routes

    return RouteLinks(Router(routes()))


@main.command("invite")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--language",
    type=click.Choice(["en", "es"]),
    default="en",
    show_default=True,
    help="The emails' language for rows without a `language` column.",
)
def invite(slug: str, file: str, language: str) -> None:
    """Invite the addresses of a CSV file to campaign SLUG (headers: the signature field
    names, `email` required). Bad rows are listed with their line; the others are invited,
    each once per campaign, and queued for the worker."""
    from pathlib import Path

    from signon import campaigns
    from signon.audit import CLI
    from signon.invitations import csvfile, invitees

    found = csvfile.read_invitees(Path(file).read_bytes())
    for bad in found.bad_rows:
        click.echo(f"Line {bad.line}: {bad.reason}", err=True)

    async def work(db: Database) -> Any:
        campaign = await campaigns.get_campaign(db, slug)
        return await invitees.add_invitees(
            db,
            CLI,
            campaign,
            found.invitees,
            source="csv",
            links=_invite_links(),
            default_locale=language,
            now=_now(),
        )

    result = _run(work)
    click.echo(
        f"Invited {result.invited}; already invited {result.already_invited}; "
        f"unsubscribed {result.unsubscribed}; rows not read {len(found.bad_rows)}."
    )


@campaign.command("remind")
@click.argument("slug")
def remind_campaign(slug: str) -> None:
    """Queue a reminder to every invitee of SLUG who has neither signed nor unsubscribed
    (at most two reminders each)."""
    from signon import campaigns
    from signon.audit import CLI
    from signon.invitations import invitees

    async def work(db: Database) -> int:
        campaign = await campaigns.get_campaign(db, slug)
        return await invitees.send_reminders(db, CLI, campaign, links=_invite_links(), now=_now())

    click.echo(f"Reminders queued: {_run(work)}.")
