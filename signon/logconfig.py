"""How Signon's processes log (LOG_FORMAT, SPEC section 3): `text` lines for a person at a
terminal, or `json`, one object a line, for a log collector.

`signon serve` hands `uvicorn_config()` to uvicorn, and `signon worker` calls
`configure_logging()`. uvicorn's own access log is off: signon/web/request_log.py logs each
request once, with its duration and request id.
"""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

from signon import settings

# The fields signon/web/request_log.py attaches to its records, in the order JSON shows them.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "request_id")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request's fields, and the
    traceback when there is one (as one string, so a line stays one record)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(format_: str | None = None) -> dict[str, Any]:
    """A dictConfig: everything to stderr in the chosen format; Signon's loggers at INFO,
    uvicorn's at INFO (start-up, shutdown) with its access log silenced."""
    chosen = format_ or settings.log_format()
    formatter: dict[str, Any] = (
        {"()": JsonFormatter} if chosen == "json" else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"signon": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "signon",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            "signon": {"level": "INFO"},
            "uvicorn": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


def configure_logging(format_: str | None = None) -> None:
    logging.config.dictConfig(logging_config(format_))
