"""Named domain errors: what the rules refused, in words a person reads.

Every error the domain raises is defined here, so one module lists every refusal and the
web layer's table (signon/web/errors.py) can give each its status; the CLI prints the same
words. An error carries no HTTP status. Its `text` is an English msgid, translated when
the error is raised (in the request's language) into `message`.

The kinds below (NotFound, Conflict, Forbidden, ...) group the errors for code that
handles a whole kind (tests, the login form); a domain module raises the named error.
"""

from __future__ import annotations

from typing import ClassVar

from signon.i18n import N_
from signon.i18n import gettext_ as _


class DomainError(Exception):
    """A request the rules refuse; a subclass names what went wrong."""

    text: ClassVar[str] = N_("That cannot be done now.")

    def __init__(self, text: str | None = None, /, **params: object) -> None:
        """`text` replaces the class's msgid where one refusal has several wordings;
        `params` fill its %(name)s placeholders after translation."""
        template = _(text or self.text)
        self.message = template % params if params else template
        super().__init__(self.message)


class ValidationFailed(DomainError):
    """Bad input: `errors` maps each field name to its messages, for the form or JSON."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        # The messages are translated already, field by field, where they were written.
        self.message = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
        Exception.__init__(self, self.message)
        self.errors = errors


# The kinds.


class NotFound(DomainError):
    """What was asked for does not exist (or is not for this person to see)."""


class Conflict(DomainError):
    """The object is in a state that does not allow this (an illegal lifecycle move)."""


class Forbidden(DomainError):
    """This person may not do this."""


class TooManyAttempts(DomainError):
    """Refused until `retry_after` seconds have passed."""

    def __init__(self, *, retry_after: int, **params: object) -> None:
        super().__init__(**params)
        self.retry_after = retry_after


class ServiceUnavailable(DomainError):
    """Cannot be done just now, through no fault of the request: try again shortly."""

    retry_after: ClassVar[int] = 5


class InvalidLink(DomainError):
    """A signer's confirm or withdraw link that cannot be used."""


# Campaigns (campaigns.py, signing/, views/public*.py).


class CampaignNotFound(NotFound):
    text = N_("There is no campaign at this address.")


class CampaignClosed(Conflict):
    """The campaign does not take signatures now."""

    text = N_("This campaign is not taking signatures.")


class CampaignClosedToConfirmation(CampaignClosed):
    text = N_("This campaign is no longer taking signatures, so it cannot be confirmed.")


class CampaignChanged(CampaignClosed):
    """The campaign closed, or changed, between its reading and the insert."""


class CampaignFrozen(Conflict):
    text = N_("A delivered campaign is frozen: its text can no longer change.")


class TransitionRefused(Conflict):
    """A lifecycle move the campaign's status does not allow (open a closed one, say)."""


class CannotOpen(TransitionRefused):
    text = N_("A campaign that is %(status)s cannot be opened.")


class CannotClose(TransitionRefused):
    text = N_("A campaign that is %(status)s cannot be closed.")


# Signatures and their links (signing/, verification/review.py).


class SignatureNotFound(NotFound):
    text = N_("This link does not match any signature.")


class SignatureNotInCampaign(NotFound):
    text = N_("There is no such signature in this campaign.")


class AlreadyWithdrawn(Conflict):
    text = N_("This signature has already been withdrawn.")


class NotDecidable(Conflict):
    """Staff verified or rejected a signature that is not confirmed."""

    text = N_("That signature cannot be decided now: it is not confirmed.")


class DeliveredListFrozen(Conflict):
    text = N_(
        "This letter has been delivered: its signers can no longer be verified, "
        "rejected or edited. A signer may still withdraw."
    )


class LinkMalformed(InvalidLink):
    text = N_("This link is not valid. Use the link in your most recent email.")


class LinkExpired(InvalidLink):
    text = N_("This link has expired. Sign again to receive a new confirmation email.")


class LinkUsed(InvalidLink):
    text = N_("This link has already been used, or a newer email replaced it.")


class WithdrawLinkEnded(InvalidLink):
    text = N_(
        "This letter has been delivered, so the withdraw links sent before no longer "
        "work. Ask for a new link on the campaign's page."
    )


class SubmissionsThrottled(TooManyAttempts):
    """The address signed or confirmed too often (SIGN_RATE_LIMIT)."""

    text = N_("Too many submissions from your network in a short time. Please wait and try again.")


# Staff accounts (staff.py, views/staff_auth.py).


class StaffNotFound(NotFound):
    text = N_("There is no such staff account.")


class AdminOnly(Forbidden):
    text = N_("Only admins can open this page.")


class OwnAccountUnchangeable(Conflict):
    text = N_("You cannot change your own role or disable your own account.")


class LoginFailed(Forbidden):
    """Wrong email, wrong password or a disabled account: deliberately one answer, so the
    page does not tell which accounts exist."""

    text = N_("That email and password do not match an active staff account.")


class LoginThrottled(TooManyAttempts):
    text = N_("Too many failed sign-in attempts. Wait a few minutes and try again.")


class SignInBusy(TooManyAttempts):
    """Every password hash slot is taken (signon/staff.py: HashSlots): not a failure."""

    text = N_("Sign-in is busy just now. Try again in a few seconds.")


# The letter (letter/).


class NotALetter(Conflict):
    text = N_("Only a letter is delivered; a statement stays closed.")


class CampaignNotClosed(Conflict):
    text = N_("A campaign that is %(status)s cannot be delivered: close it first.")


class AlreadyDelivered(Conflict):
    text = N_("This letter has already been delivered.")


class NothingToDeliver(Conflict):
    text = N_("There is no verified signatory to deliver.")


class SignatoriesKeptChanging(Conflict):
    text = N_("The signatory list kept changing during delivery. Try again.")


class NotDelivered(NotFound):
    text = N_("This campaign has not been delivered.")


class NoDeliveredPdf(NotFound):
    text = N_("This campaign has no delivered PDF.")


class NoSignatoryFromState(NotFound):
    text = N_("No verified signatory of this campaign is from that state.")


class NoPacketYet(NotFound):
    text = N_("No verified signatory yet: there is no packet to prepare.")


class PdfUnavailable(ServiceUnavailable):
    text = N_("The PDF could not be prepared. Try again in a minute.")


# The public datasets (importing/): for whoever runs the CLI, with the file's own detail.


class ImportRefused(DomainError):
    """The file as a whole cannot be imported (wrong format, missing columns); nothing
    changes. Raised with its reason, which names the file."""


# Invitations (signon/invitations/).


class CampaignNotInviting(Conflict):
    text = N_("Invitations can be sent only while a campaign is open.")


class InvalidInvitation(DomainError):
    text = N_("This invitation link is not valid. Use the link in your most recent email.")


class AlreadySigned(Conflict):
    text = N_("You have already signed from this invitation. Thank you.")


class InvitationCampaignClosed(Conflict):
    text = N_("This campaign is no longer taking signatures.")
