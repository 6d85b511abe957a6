"""Paths and helpers shared by the plan-parser tests (imported as `planhelp`)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_b4e0627ec94ce713.txt"
GAZETTEER = ROOT / "seeds" / "liaocheng.gazetteer.toml"
REVIEW = ROOT / "seeds" / "liaocheng-express-2024.review.toml"
SAMPLES = Path(__file__).resolve().parent / "samples"
# Real official documents, kept outside the repository (see their README.md there).
SHARED_PLANS = ROOT.parent / "shared" / "plans"

ARTICLE = range(93, 114)  # the plan's article on the seed page, lines 93–113


def task_titled(parsed, start):
    matches = [t for t in parsed.tasks if t.title.startswith(start)]
    assert len(matches) == 1, [t.title for t in parsed.tasks]
    return matches[0]


def all_spans(parsed):
    """Every Span and line number in a ParsedPlan."""
    spans = [parsed.span, *(c.span for c in parsed.categories)]
    lines = []
    for task in parsed.tasks:
        spans.append(task.span)
        lines += [b.line for b in task.bodies] + [t.line for t in task.targets]
        if task.deadline:
            lines.append(task.deadline.line)
        for m in task.measures:
            spans.append(m.span)
            lines += [b.line for b in m.bodies] + [t.line for t in m.targets]
            if m.deadline:
                lines.append(m.deadline.line)
    lines += [t.line for t in parsed.targets]
    return spans, [line for line in lines if line is not None]
