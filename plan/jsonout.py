"""ParsedPlan → JSON-safe dict (the schema is documented in docs/plan-json.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from .model import ParsedPlan

SCHEMA = "plan-json/1"


def _safe(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _safe(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "gazetteer"
        }
    if isinstance(value, (list, tuple)):
        return [_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _safe(v) for k, v in value.items()}
    return value


def to_json(parsed: ParsedPlan) -> dict[str, Any]:
    """A JSON-safe dict of the plan: dates as ISO strings, Decimals as strings."""
    data = _safe(parsed)
    return {"schema": SCHEMA, **data}
