"""Which proxies are trusted (FORWARDED_ALLOW_IPS, SPEC section 3).

A request from a trusted proxy may say who the client is (`X-Forwarded-For`), which scheme
it used (`X-Forwarded-Proto`) and its request id (`X-Request-ID`); from anyone else those
headers are ignored, so a client cannot forge its address, even from 127.0.0.1. The
default trusts nobody. uvicorn's ProxyHeadersMiddleware does the rewriting, inside the
app, so the rule holds however the app is served (uvicorn's own is switched off).
"""

from __future__ import annotations

import ipaddress

from signon.settings import ConfigurationError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """Addresses and networks from a comma-separated list; `*` trusts every peer (only
    for a server that nothing but the proxy can reach)."""

    def __init__(self, spec: str) -> None:
        self.entries = [entry.strip() for entry in spec.split(",") if entry.strip()]
        self.everyone = "*" in self.entries
        self.networks: list[Network] = []
        for entry in self.entries:
            if entry == "*":
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError as exc:
                raise ConfigurationError(
                    f"FORWARDED_ALLOW_IPS: {entry!r} is not an IP address or network"
                ) from exc

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __contains__(self, host: object) -> bool:
        if self.everyone:
            return True
        if not isinstance(host, str):
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)
