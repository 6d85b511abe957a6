"""Plan text → structured plan, in pure Python (no Django).

An uploaded file of any kind (.txt/.md, .docx, .pdf, .html, .xlsx, .csv; told by its
content, not its name):

    from plan import read_document, load_gazetteer, parse_review, apply_review, to_json

    text, plan = read_document(uploaded_bytes, "方案.docx",
                               gazetteer=load_gazetteer("seeds/liaocheng.gazetteer.toml"))
    plan = apply_review(plan, parse_review(uploaded_review_text))   # the web: never a path
    data = to_json(plan)                                            # JSON-safe dict

`text` is the document written as plan text: keep it as the plan's source, since every
line number in the ParsedPlan counts in it; each `ref` beside a line says where that line
is in the uploaded file ("第3页", "表1第5行", "第12行").

Text you already have:

    from plan import decode, parse, load_review

    text = decode(uploaded_bytes)                       # PlanDecodeError
    plan = parse(text, gazetteer=..., source_name="000_b4e0627ec94ce713.txt")  # PlanParseError
    plan = apply_review(plan, load_review(Path("seeds/liaocheng-express-2024.review.toml")))

Every exception these raise is a PlanError subclass with a Chinese message. docs/plan-json.md
documents the JSON and the review file.
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
