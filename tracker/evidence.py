"""佐证材料: which files a report may carry, recognised by their content, never by their name.

- pdf: the `%PDF-` signature; name .pdf
- ofd (版式文档, GB/T 33190): a zip with `OFD.xml` at its root; name .ofd
- jpg, png: the image signatures (the `filetype` package); name .jpg/.jpeg, .png
- docx, xlsx, pptx: a zip with `[Content_Types].xml` and a `word/`, `xl/` or `ppt/` folder
- wps, et, dps: an OLE2 compound file (`D0 CF 11 E0 A1 B1 1A E1`), as WPS Office writes them

How much a report may carry: at most MAX_FILES files, each at most TRACKER_UPLOAD_MAX_BYTES,
together at most TRACKER_UPLOAD_REPORT_MAX_BYTES; and a body's reports at most
TRACKER_UPLOAD_BODY_DAY_MAX_BYTES a day (settings.py). The form says so before anything is
uploaded and refuses more; the reporting service checks again under the body's lock.

The name has to agree with the content: an .exe renamed .pdf is refused, and so is a PDF named
.docx (it would open in the wrong program). Only the zip's directory is read, never its
contents, so a zip bomb costs nothing.
"""

import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_FILES = 10

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Kind:
    content: str  # what detect() returns for this kind of content
    extensions: tuple[str, ...]
    content_type: str


KINDS = {
    "pdf": Kind("pdf", (".pdf",), "application/pdf"),
    "ofd": Kind("ofd", (".ofd",), "application/ofd"),
    "jpg": Kind("jpg", (".jpg", ".jpeg"), "image/jpeg"),
    "png": Kind("png", (".png",), "image/png"),
    "docx": Kind(
        "docx",
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": Kind(
        "xlsx", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    "pptx": Kind(
        "pptx",
        (".pptx",),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "wps": Kind("ole2", (".wps",), "application/vnd.ms-works"),
    "et": Kind("ole2", (".et",), "application/vnd.ms-excel"),
    "dps": Kind("ole2", (".dps",), "application/vnd.ms-powerpoint"),
}

ACCEPTED_EXTENSIONS = sorted({ext for kind in KINDS.values() for ext in kind.extensions})


def detect(fileobj):
    """What the content is: one of pdf, ofd, jpg, png, docx, xlsx, pptx, ole2 — or None."""
    fileobj.seek(0)
    head = fileobj.read(8192)
    fileobj.seek(0)
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(fileobj)
    guess = filetype.guess(bytes(head))
    if guess is not None and guess.extension in ("pdf", "jpg", "png"):
        return guess.extension
    return None


def _zip_kind(fileobj):
    try:
        names = zipfile.ZipFile(fileobj).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    finally:
        fileobj.seek(0)
    if "OFD.xml" in names:
        return "ofd"
    if "[Content_Types].xml" in names:
        for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
            if any(name.startswith(prefix) for name in names):
                return kind
    return None


def clean_name(name):
    """The uploaded file's own name, without any folder a browser may send, at most 200
    characters with its extension kept."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name.strip().replace("\x00", "")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = stem[: 199 - len(ext)] + dot + ext if dot and len(ext) < 10 else name[:200]
    return name


def kind_of(name, fileobj):
    """The kind (a KINDS key) when the content is accepted and agrees with the name, else None."""
    ext = PurePosixPath(name.lower()).suffix
    content = detect(fileobj)
    for key, kind in KINDS.items():
        if ext in kind.extensions and content == kind.content:
            return key
    return None


def remaining_today(uploaded_today):
    """Bytes a body may still upload today, when it has uploaded `uploaded_today`."""
    return max(0, settings.TRACKER_UPLOAD_BODY_DAY_MAX_BYTES - uploaded_today)


def quota_problem(sizes, uploaded_today, carried=()):
    """What is wrong with one report carrying files of these sizes, for a body that has
    uploaded `uploaded_today` bytes today -- or None. `carried`: the sizes of the files the
    report carries besides, not uploaded now (kept from the report a correction corrects,
    or saved in its draft before): they count towards the report's files and its total, not
    towards today's uploads. (Each file's own size and kind are checked with its name, by
    the form.)"""
    if len(sizes) + len(carried) > MAX_FILES:
        if carried:
            return _(
                "一次填报最多附 %(n)s 个文件：已有 %(kept)s 个（沿用或草稿中已上传），"
                "这次又选择了 %(count)s 个。请少选几个，或取消勾选部分沿用或已上传的文件。"
            ) % {"n": MAX_FILES, "kept": len(carried), "count": len(sizes)}
        return _("最多上传 %(n)s 个文件，这次选择了 %(count)s 个。") % {
            "n": MAX_FILES,
            "count": len(sizes),
        }
    total = sum(sizes) + sum(carried)
    report_max = settings.TRACKER_UPLOAD_REPORT_MAX_BYTES
    if total > report_max:
        return _("这些文件合计 %(size)s，超过了每次填报 %(limit)s 的上限。") % {
            "size": filesizeformat(total),
            "limit": filesizeformat(report_max),
        }
    new = sum(sizes)
    left = remaining_today(uploaded_today)
    if new > left:
        return _("这些文件合计 %(size)s，本单位今天只能再上传 %(left)s（每天上限 %(limit)s）。") % {
            "size": filesizeformat(new),
            "left": filesizeformat(left),
            "limit": filesizeformat(settings.TRACKER_UPLOAD_BODY_DAY_MAX_BYTES),
        }
    return None
