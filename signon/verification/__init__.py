"""Verification: evidence from the public datasets, the auto-verify policy, staff review,
jurisdictions and names."""
