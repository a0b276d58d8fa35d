"""Shared presentation helpers for CLI commands: tables and JSON output."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _clean(value.item())
    if isinstance(value, Mapping):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def print_json(data: Mapping[str, Any]) -> None:
    """Print ``data`` as JSON on stdout (NaN/inf become null)."""
    print(json.dumps(_clean(dict(data)), indent=2))


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    """Print a two-column table of (quantity, value) rows."""
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for name, value in rows:
        table.add_row(name, value)
    Console().print(table)
