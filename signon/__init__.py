"""Signon: sign-on letters and statements for elected officials."""
