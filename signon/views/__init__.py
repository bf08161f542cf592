"""HTTP handlers, one module per area of the site; routes.py is the route table."""
