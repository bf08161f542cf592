"""Invitations (SPEC section 7): staff invite officials by email, remind them, and each
signs from a personal link; an unsubscribed address is never invited again.

- `links.py`: the signed links in the emails (invite and unsubscribe).
- `csvfile.py`: reading an uploaded invitee list (pure).
- `invitees.py`: adding invitees from a list, earlier signers or the roster, each with its
  email queued in the same transaction; reminders; unsubscribing; what staff see.
- `emails.py`: the invitation and reminder emails and their headers.
- `sending.py`: the worker's side: INVITE_RATE, one commit per message, bounces.
- `signing.py`: the invitation page's data and signing from it.
"""
