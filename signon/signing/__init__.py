"""Signing: the sign form's rules, signatures and their lifecycle, signed links, group writes."""
