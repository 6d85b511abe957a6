"""Bytes of an uploaded plan → text."""

from __future__ import annotations

import codecs
import re

from .errors import PlanDecodeError

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_READABLE_RE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\s!-~“”‘’…—·《》]")


def decode(data: bytes) -> str:
    """Decode an uploaded plan: UTF-8 with or without BOM, or GB18030 (what Chinese Windows
    saves as "ANSI"). Raises PlanDecodeError for anything else (UTF-16, binary files,
    bytes that are not text in these encodings)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise PlanDecodeError("上传的内容不是文件数据")
    raw = bytes(data)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise PlanDecodeError("文件是 UTF-16 编码；请另存为 UTF-8 后再上传")
    if raw.startswith(codecs.BOM_UTF8):
        try:
            text = raw[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PlanDecodeError(
                f"文件以 UTF-8 标记开头，但第{_line_of(raw, exc.start)}行含有无效字节"
            ) from exc
        return _checked(text)
    try:
        return _checked(raw.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise PlanDecodeError(
            f"无法识别文件编码（第{_line_of(raw, exc.start)}行）：请另存为 UTF-8 或 GB18030 文本"
        ) from exc
    text = _checked(text)
    readable = len(_READABLE_RE.findall(text))
    if text and readable < 0.9 * len(text):
        raise PlanDecodeError("文件内容看起来不是中文文本：请另存为 UTF-8 文本后再上传")
    return text


def _checked(text: str) -> str:
    m = _CONTROL_RE.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise PlanDecodeError("文件含有控制字符，不是纯文本文件", line)
    return text


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1
