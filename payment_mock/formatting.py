"""Template filters of the gateway: money and times as a Vietnamese reader expects."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from common.tz import local


def money(amount: int) -> str:
    """200000 → "200.000 đ"."""
    return f"{amount:,} đ".replace(",", ".")


def local_time(value: datetime | None) -> str:
    return local(value).strftime("%H:%M %d/%m/%Y") if value else ""


def init_app(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(local_time, "local_time")
