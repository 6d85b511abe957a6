"""The English catalogue: every entry translated, nothing fuzzy, and the compiled .mo in step
with the .po (tracker/locale/en/LC_MESSAGES)."""

import ast
import gettext
import re
from pathlib import Path

import pytest

LC_MESSAGES = Path(__file__).resolve().parent.parent / "tracker" / "locale" / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"

KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


def entries():
    """Each entry of the .po as a dict of keyword -> unquoted text, plus its flags."""
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        entry, flags, key = {}, set(), None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags.update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif m := KEYWORD.match(line):
                key = m.group(1)
                entry[key] = ast.literal_eval(m.group(2))
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if "msgid" in entry:
            entry["flags"] = flags
            yield entry


def catalogue():
    with MO.open("rb") as f:
        return gettext.GNUTranslations(f)


def test_po_declares_english_utf8_and_english_plurals():
    header = next(e for e in entries() if e["msgid"] == "")["msgstr"]
    assert "Language: en\n" in header
    assert "Content-Type: text/plain; charset=UTF-8\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header


def test_no_entry_is_fuzzy_or_untranslated():
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")
    problems = []
    for e in entries():
        if e["msgid"] == "":
            continue
        if "fuzzy" in e["flags"]:
            problems.append(("fuzzy", e["msgid"]))
        strs = [v for k, v in e.items() if k.startswith("msgstr")]
        if not strs or not all(s.strip() for s in strs):
            problems.append(("untranslated", e["msgid"]))
        if "msgid_plural" in e and not ("msgstr[0]" in e and "msgstr[1]" in e):
            problems.append(("plural forms", e["msgid"]))
    assert problems == []


def test_placeholders_survive_translation():
    placeholder = re.compile(r"%\(\w+\)[sd]|%%")
    problems = []
    for e in entries():
        if e["msgid"] == "":
            continue
        wanted = sorted(placeholder.findall(e["msgid"]))
        for k, v in e.items():
            if k.startswith("msgstr") and sorted(placeholder.findall(v)) != wanted:
                problems.append((e["msgid"], v))
    assert problems == []


@pytest.mark.parametrize(
    ("msgid", "english"),
    [
        ("我的任务", "My work"),
        ("逾期", "Overdue"),
        ("用户名", "Username"),
        ("已销号", "Signed off"),
    ],
)
def test_mo_translates(msgid, english):
    assert catalogue().gettext(msgid) == english


def test_mo_matches_po():
    """compilemessages was run after the last change to the .po."""
    mo = catalogue()
    stale = []
    for e in entries():
        if e["msgid"] == "" or "msgctxt" in e:
            continue
        if "msgid_plural" in e:
            got = (
                mo.ngettext(e["msgid"], e["msgid_plural"], 1),
                mo.ngettext(e["msgid"], e["msgid_plural"], 2),
            )
            if got != (e["msgstr[0]"], e["msgstr[1]"]):
                stale.append(e["msgid"])
        elif mo.gettext(e["msgid"]) != e["msgstr"]:
            stale.append(e["msgid"])
    assert stale == []


def test_model_names_have_english_plurals():
    from django.utils import translation

    from tracker.models import Assignment, Plan

    with translation.override("en"):
        assert str(Plan._meta.verbose_name) == "Implementation plan"
        assert str(Plan._meta.verbose_name_plural) == "Implementation plans"
        assert str(Assignment._meta.verbose_name_plural) == "Assignments"
    with translation.override("zh-hans"):
        assert str(Plan._meta.verbose_name_plural) == "实施方案"
