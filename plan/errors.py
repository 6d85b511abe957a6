"""The only exceptions that `plan.parse()`, `plan.decode()`, `plan.load_review()` and
`plan.apply_review()` raise. Messages are Chinese, for the administrator's import report,
and name the line when one is known."""

from __future__ import annotations


class PlanError(Exception):
    """Base class. `line` is the 1-based line of the input the message is about, or None."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"第{line}行：{message}" if line is not None else message)


class PlanDecodeError(PlanError):
    """The bytes are not text in UTF-8 (with or without BOM) or GB18030."""


class PlanParseError(PlanError):
    """The text is empty, is not a plan, or has no structure the parser can read."""


class ReviewError(PlanError):
    """The review file is not valid TOML, misses a required value (every decision needs a
    `reason`), or refers to a task, measure or body that does not exist."""


class GazetteerError(PlanError):
    """The gazetteer file (`load_gazetteer`) is missing or malformed."""
