"""FORWARDED_ALLOW_IPS parsed into the proxies Signon trusts (signon/web/proxy.py): pure."""

import re

import pytest

from signon import settings
from signon.settings import ConfigurationError
from signon.web.proxy import TrustedProxies


def test_nobody_is_trusted_by_default_not_even_loopback():
    trusted = TrustedProxies("")
    assert not trusted and "127.0.0.1" not in trusted and "::1" not in trusted


def test_addresses_and_networks_are_trusted_and_nothing_else():
    trusted = TrustedProxies(" 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32")
    assert all(host in trusted for host in ("10.1.2.3", "192.0.2.7", "2001:db8::1"))
    assert "192.0.2.8" not in trusted and "11.0.0.1" not in trusted
    assert "not-an-address" not in trusted and None not in trusted


def test_a_star_trusts_every_peer():
    assert "198.51.100.1" in TrustedProxies("*") and TrustedProxies("*").everyone


def test_a_mistyped_entry_is_refused_with_its_name():
    with pytest.raises(ConfigurationError, match=re.escape("FORWARDED_ALLOW_IPS: '10.0.0.300'")):
        TrustedProxies("10.0.0.1,10.0.0.300")


@pytest.mark.parametrize(
    ("name", "value"), [("DATABASE_STATEMENT_CACHE", "maybe"), ("LOG_FORMAT", "xml")]
)
def test_operations_settings_refuse_a_value_outside_their_choices(monkeypatch, name, value):
    monkeypatch.setattr(settings, name, value)
    read = settings.statement_cache if name == "DATABASE_STATEMENT_CACHE" else settings.log_format
    with pytest.raises(ConfigurationError, match=f"{name}='{value}' must be one of"):
        read()
