"""Plan text → structured plan, in pure Python (no Django).

    from plan import decode, parse, load_gazetteer, load_review, apply_review, to_json

    text = decode(uploaded_bytes)                       # PlanDecodeError
    plan = parse(text, gazetteer=load_gazetteer("seeds/liaocheng.gazetteer.toml"),
                 source_name="000_b4e0627ec94ce713.txt")  # PlanParseError
    plan = apply_review(plan, load_review("seeds/liaocheng-express-2024.review.toml"))
    data = to_json(plan)                                 # JSON-safe dict

Every exception these raise is a PlanError subclass with a Chinese message.
"""

from .decode import decode
from .errors import GazetteerError, PlanDecodeError, PlanError, PlanParseError, ReviewError
from .formats import detect_kind, read_document
from .gazetteer import Gazetteer, load_gazetteer
from .jsonout import to_json
from .model import ParsedPlan
from .parser import parse
from .review import Review, apply_review, load_review, parse_review

__all__ = [
    "Gazetteer",
    "GazetteerError",
    "ParsedPlan",
    "PlanDecodeError",
    "PlanError",
    "PlanParseError",
    "Review",
    "ReviewError",
    "apply_review",
    "decode",
    "detect_kind",
    "load_gazetteer",
    "load_review",
    "parse",
    "parse_review",
    "read_document",
    "to_json",
]
