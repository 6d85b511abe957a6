"""The import report: a parsed plan as lines of text for a person to check before it is
loaded — what was found, on which lines, the counts the text declares against those found,
and every warning. `import_plan` prints it; it is a pure function of the parsed plan."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from . import model as pm


def _deadline_label(deadline: pm.Deadline | None) -> str:
    if deadline is None:
        return "无明确时限"
    when = deadline.date.isoformat() if deadline.date else "长期"
    who = "（审核设定）" if deadline.provenance == pm.REVIEW else ""
    return f"{when}“{deadline.phrase}”{who}" if deadline.phrase else f"{when}{who}"


def _bodies_label(refs: Iterable[pm.BodyRef]) -> str:
    roles = {pm.LEAD: "牵头", pm.SUPPORT: "配合", pm.RESPONSIBLE: "分解"}
    return "、".join(
        f"{r.name}[{roles.get(r.role, r.role)}{'·审核' if r.source == pm.FROM_REVIEW else ''}]"
        for r in refs
    )


def report_lines(parsed: pm.ParsedPlan) -> Iterator[str]:
    """The import report as text lines: what was found, where, and every warning."""
    p = parsed
    yield f"方案：{p.title}（{p.jurisdiction}）  原文第{p.span.first}–{p.span.last}行"
    if p.issuer or p.issue_date:
        yield f"印发：{p.issuer or '未注明'}  {p.issue_date or '日期未注明'}"
    yield f"跟踪起始：{p.start_date or '未定'}"
    yield (
        f"类别：原文称 {p.declared_categories if p.declared_categories is not None else '—'}，"
        f"识别 {len(p.categories)}；任务：原文称 "
        f"{p.declared_tasks if p.declared_tasks is not None else '—'}，识别 {len(p.tasks)}"
    )
    for c in p.categories:
        yield f"  类别{c.number}：{c.title}  （第{c.span.first}–{c.span.last}行）"
    for t in p.tasks:
        mark = "（审核）" if t.provenance == pm.REVIEW else ""
        yield (
            f"  任务{t.number}{mark}：{t.title}  类别{t.category or '—'}  "
            f"第{t.span.first}–{t.span.last}行  时限：{_deadline_label(t.deadline)}"
        )
        if t.bodies:
            yield f"      责任单位：{_bodies_label(t.bodies)}"
        for m in t.measures:
            yield f"      措施{m.number}（第{m.span.first}–{m.span.last}行）：{m.text[:40]}"
            if m.deadline:
                yield f"        时限：{_deadline_label(m.deadline)}"
            if m.bodies:
                yield f"        责任单位：{_bodies_label(m.bodies)}"
            for target in m.targets:
                yield f"        指标：{target.description}"
        for target in t.targets:
            yield f"      指标：{target.description}"
    for target in p.targets:
        yield f"  全局指标：{target.description}"
    if p.warnings:
        yield f"警告（{len(p.warnings)}）："
        for w in p.warnings:
            yield f"  第{w.line}行：{w.message}" if w.line else f"  {w.message}"
    else:
        yield "警告：无"
