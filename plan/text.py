"""Small text helpers shared by the parser: sentences, clauses, task-title shapes."""

from __future__ import annotations

import re

_OPEN = "（(“‘「『《【"
_CLOSE = "）)”’」』》】"
_SENTENCE_END = "。！？；!?;"


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence of text[start:end], the end punctuation included.
    Never splits inside parentheses or quotes (ASCII " toggles)."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    depth, in_ascii_quote = 0, False
    s = start
    i = start
    while i < end:
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == '"':
            in_ascii_quote = not in_ascii_quote
        elif ch in _SENTENCE_END and depth == 0 and not in_ascii_quote:
            j = i + 1
            while j < end and text[j] in '”’"」』':
                j += 1
            spans.append((s, j))
            s = j
            i = j
            continue
        i += 1
    if s < end and text[s:end].strip():
        spans.append((s, end))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def clauses(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each clause of text[start:end], split on ，,：: outside parentheses
    and quotes; the separators are not included."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    depth, in_ascii_quote = 0, False
    s = start
    for i in range(start, end):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == '"':
            in_ascii_quote = not in_ascii_quote
        elif ch in "，,：:。！？；!?;" and depth == 0 and not in_ascii_quote:
            spans.append((s, i))
            s = i + 1
    spans.append((s, end))
    return [(a, b) for a, b in spans if b > a]


QUOTE_CHARS = "\"'“”‘’「」『』"
_CJK_ONLY_RE = re.compile(r"^[\u4e00-\u9fff]+$")


def _words(s: str) -> tuple[str, ...]:
    return tuple(s.split())


VERBS = _words(
    "推进 推动 提升 提高 完善 健全 加强 强化 深化 实施 支持 保障 破解 坚持 增强 注重 发展 加快 "
    "优化 构建 打造 培育 巩固 促进 建立 建设 开展 落实 扩大 拓展 创新 规范 引导 鼓励 做好 做强 "
    "做优 做大 壮大 夯实 统筹 聚焦 围绕 探索 推广 赋能 畅通 打通 激发 释放 营造 筑牢 守牢 防范 "
    "加速 升级 改善 增加 稳定 保持 严格 抓好 抓实 用好 发挥 搭建 创建 争创 实行 推行 加大 降低 "
    "减少 简化 放宽 补齐 补强 提速 延伸 融合 整合 合理 服务 助力 完成 开拓 引进 招引 强基 织密 "
    "拓宽 丰富 挖掘 加密 扶持 培养 提质 升格 压实 厚植 突出 强调 狠抓 严守 严控 全面 着力 "
    "大力 积极 深入 持续 切实 稳步 不断 有序 继续 努力 扎实 加紧"
)
ADVERBS = (
    "进一步",
    "大力",
    "积极",
    "着力",
    "加快",
    "全面",
    "深入",
    "持续",
    "切实",
    "稳步",
    "不断",
    "有序",
    "继续",
    "重点",
    "努力",
    "扎实",
    "统筹",
    "高标准",
)
_STOP_CHARS = set("的和与及等业企行化性发展建设工作体系能力水平服务机制推进加强提升完善全市")


def core(phrase: str) -> str:
    """A phrase without quotes, spaces and a trailing 等."""
    out = "".join(ch for ch in phrase if ch not in QUOTE_CHARS and not ch.isspace())
    return out[:-1] if out.endswith("等") else out


def title_shaped(phrase: str, max_len: int = 14) -> bool:
    """A short verb–object phrase such as "推进快递园区建设" or "实施“快递出海”工程"."""
    c = core(phrase)
    if not 3 <= len(c) <= max_len or not _CJK_ONLY_RE.match(c):
        return False
    rest = c
    for _ in range(2):
        for adverb in ADVERBS:
            if rest.startswith(adverb) and len(rest) > len(adverb) + 1:
                rest = rest[len(adverb) :]
                break
    return c.startswith(VERBS) or rest.startswith(VERBS)


def _content(phrase: str) -> set[str]:
    c = core(phrase)
    for adverb in ADVERBS:
        if c.startswith(adverb) and c[len(adverb) :].startswith(VERBS):
            c = c[len(adverb) :]
            break
    if c.startswith(VERBS):
        c = c[2:]
    return set(c) - _STOP_CHARS


def same_topic(phrase: str, title: str) -> bool:
    """Do two verb–object phrases share a content character ("加强农村寄递…" and
    "提升农村服务网络" share 农村)? Verbs and very common characters do not count."""
    return bool(_content(phrase) & _content(title))
