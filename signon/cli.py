"""The `signon` command line (SPEC section 3): one click group; each docstring is its help.

Commands call the same domain functions as the staff pages, acting as the audit log's
"cli" actor. Every command that touches the database applies pending migrations first
(a no-op when the schema is current), so `signon demo` works on an empty database.
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
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from signon import settings

if TYPE_CHECKING:
    from databases import Database

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


def _migrated_url() -> str:
    """The database URL (starting the embedded server if need be), migrated to head."""
    from signon import db

    url = db.resolve_database_url()
    asyncio.run(_check_connection(url))
    db.migrate(url)
    return url


async def _check_connection(url: str) -> None:
    """Fail with one clear line, not a driver traceback, when the database cannot be used."""
    import asyncpg

    from signon.db import sqlalchemy_url

    try:
        dsn = sqlalchemy_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)
        connection = await asyncpg.connect(dsn, timeout=10)
    except (OSError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise Refused([f"Cannot connect to the database: {exc}"]) from exc
    await connection.close()


def _run(work: Callable[[Database], Awaitable[T]]) -> T:
    """Migrate, then run `work` with a connected database and return its result."""
    url = _migrated_url()

    async def connected() -> T:
        from signon.db import make_database

        database = make_database(url, min_size=1, max_size=2)
        await database.connect()
        try:
            return await work(database)
        finally:
            await database.disconnect()

    return asyncio.run(connected())


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
    """Serve the web app, after applying pending migrations."""
    import uvicorn

    settings.secret_key()  # refuse to start without a safe key, before touching anything
    url = _migrated_url()
    from signon.web.server import UVICORN_OPTIONS

    # Timeouts for slow headers and idle keep-alive connections (signon/web/server.py).
    options: dict[str, Any] = {"host": host, "port": port, "loop": "uvloop", **UVICORN_OPTIONS}
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
    """Apply the database migrations (Alembic upgrade to head)."""
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    _migrated_url()
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

    password = _read_password(password_stdin)
    role = "admin" if admin else "staff"
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

    login = _run(lambda db: load_demo(db, signers))
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
    staff can read it (/staff/outbox). Several workers may run side by side.
    """
    from signon import mail

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    async def run(db: Database) -> int:
        if once:
            return await mail.deliver_due(db, settings.SMTP_URL)
        await mail.run_worker(db, settings.SMTP_URL)
        return 0

    try:
        sent = _run(run)
    except KeyboardInterrupt:
        return
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
    try:
        report = _run(
            lambda db: import_dataset(db, dataset, Path(path), progress=progress, **options)
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


@campaign.command("deliver")
@click.argument("slug")
def deliver_campaign(slug: str) -> None:
    """Deliver a closed letter: render its PDF once, freeze it and record its SHA-256.

    From then on the public PDF is that file, byte for byte.
    """
    from signon.audit import CLI
    from signon.campaigns import now_utc
    from signon.letter.delivery import deliver_campaign as deliver

    done = _run(lambda db: deliver(db, CLI, slug, now=now_utc()))
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

    from signon.campaigns import get_campaign, now_utc
    from signon.letter import document

    async def work(db: Database) -> document.PdfFile:
        campaign = await get_campaign(db, slug)
        if state:
            return await document.packet_pdf(db, campaign, state, now=now_utc(), wait=True)
        return await document.letter_pdf(db, campaign, now=now_utc(), wait=True)

    found = _run(work)
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
