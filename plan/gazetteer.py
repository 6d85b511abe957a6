"""A gazetteer: the bodies of one jurisdiction and the names a plan text uses for them.

The format (TOML) is described at the top of `seeds/liaocheng.gazetteer.toml`. Without a
gazetteer the parser keeps names as written and guesses their kind (`guess_kind`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import GazetteerError
from .model import CITY_DEPARTMENT, COUNTY, ENTERPRISE, OTHER, ZONE

KINDS = (CITY_DEPARTMENT, COUNTY, ZONE, ENTERPRISE, OTHER)
_TABLES = {"county": COUNTY, "zone": ZONE, "department": CITY_DEPARTMENT, "other": None}


@dataclass(frozen=True)
class GazBody:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass
class Gazetteer:
    jurisdiction: str
    bodies: list[GazBody] = field(default_factory=list)
    _index: dict[str, GazBody] = field(default_factory=dict, repr=False)
    _aliases: dict[str, GazBody] = field(default_factory=dict, repr=False)
    # Compiled patterns and derived lists, made once per gazetteer (plan.bodies).
    cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for body in self.bodies:
            self._index[body.name] = body
            for alias in body.aliases:
                self._aliases[alias] = body

    @property
    def counties(self) -> list[GazBody]:
        """The county-level units, in the gazetteer's order: what 各县(市、区) means."""
        return [b for b in self.bodies if b.kind == COUNTY]

    @property
    def aliases(self) -> dict[str, GazBody]:
        return dict(self._aliases)

    def names_in_sentences(self) -> list[tuple[str, GazBody]]:
        """Full names that name a body wherever a sentence has them, longest first.
        Aliases are not here: a department alias ("公安") counts only in a list of
        departments (see plan.bodies), and a short county name ("东阿") is too often part
        of another word ("东阿阿胶")."""
        cached = self.cache.get("names_in_sentences")
        if isinstance(cached, list):
            return cached
        pairs: list[tuple[str, GazBody]] = []
        for body in self.bodies:
            pairs.append((body.name, body))
            if body.name.startswith("市") and self.jurisdiction:
                pairs.append((self.jurisdiction + body.name[1:], body))
        pairs.sort(key=lambda p: -len(p[0]))
        self.cache["names_in_sentences"] = pairs
        return pairs

    def lookup(self, raw: str) -> GazBody | None:
        """The body a written name stands for, or None."""
        name = raw.strip()
        if not name:
            return None
        candidates = [name]
        if self.jurisdiction and name.startswith(self.jurisdiction) and name != self.jurisdiction:
            candidates.append("市" + name[len(self.jurisdiction) :])
        for suffix in ("人民政府", "政府", "党委和政府", "党委、政府"):
            if name.endswith(suffix) and len(name) > len(suffix):
                candidates.append(name[: -len(suffix)])
        for c in candidates:
            if c in self._index:
                return self._index[c]
            if c in self._aliases:
                return self._aliases[c]
            if not c.startswith("市") and "市" + c in self._index:
                return self._index["市" + c]
        return None


def load_gazetteer(path: str | Path) -> Gazetteer:
    """Read a gazetteer TOML file. Raises GazetteerError (a PlanError) when it is missing or
    malformed."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise GazetteerError(f"无法读取地名录文件 {path}：{exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise GazetteerError(f"地名录文件 {path} 不是有效的 UTF-8 TOML：{exc}") from exc
    return gazetteer_from_dict(data, str(path))


def gazetteer_from_dict(data: dict[str, Any], where: str = "地名录") -> Gazetteer:
    jurisdiction = data.get("jurisdiction")
    if not isinstance(jurisdiction, str) or not jurisdiction.strip():
        raise GazetteerError(f"{where}：缺少 jurisdiction（所属城市，如“聊城市”）")
    bodies: list[GazBody] = []
    seen: set[str] = set()
    for table, kind in _TABLES.items():
        entries = data.get(table, [])
        if not isinstance(entries, list):
            raise GazetteerError(f"{where}：[[{table}]] 应为表数组")
        for i, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise GazetteerError(f"{where}：[[{table}]] 第{i}条缺少 name")
            name = entry["name"].strip()
            aliases = entry.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise GazetteerError(f"{where}：{name} 的 aliases 应为字符串列表")
            body_kind = kind or entry.get("kind", OTHER)
            if body_kind not in KINDS:
                raise GazetteerError(f"{where}：{name} 的 kind “{body_kind}” 无效")
            if name in seen:
                raise GazetteerError(f"{where}：{name} 重复出现")
            seen.add(name)
            bodies.append(GazBody(name, body_kind, tuple(a.strip() for a in aliases if a.strip())))
    return Gazetteer(jurisdiction.strip(), bodies)


_ZONE_RE = re.compile(r"(管委会|开发区|高新区|度假区|新片区|合作区|示范区|自贸|保税区|园区管理)")
_COUNTY_RE = re.compile(r"^[^市省]{1,7}?(区|县|市|旗)((人民)?政府)?$")
_DEPT_RE = re.compile(r"^(市|省|区|县)(委|政府)?.{0,14}(局|委|办|厅|部|室|委员会|办公室|办公厅)$")


def guess_kind(name: str) -> str:
    """Kind of a body named without a gazetteer: 市…局/委/办 → department, …区/县/市 →
    county, 管委会/开发区 → zone, 公司/企业 → enterprise, else other."""
    if re.search(r"(公司|企业|集团|有限)", name):
        return ENTERPRISE
    if _ZONE_RE.search(name):
        return ZONE
    if _COUNTY_RE.match(name) or name.startswith("各"):
        return COUNTY
    if _DEPT_RE.match(name):
        return CITY_DEPARTMENT
    return OTHER
