"""The web layer's machinery: CSRF, templates, the response replay cache, rate limits and
the OpenAPI document. Handlers live in signon/views/."""
