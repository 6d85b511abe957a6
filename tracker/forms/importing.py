"""The web import's form: a plan file of any kind, or pasted text; optionally the review file
and the gazetteer. The limits are settings (README, "Limits of the web import")."""

from typing import cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from plan import PlanDecodeError, PlanError, decode, load_gazetteer
from tracker.services.importing import gazetteer_path

# What the file field takes: the kind is told by the content, the list is for people.
FORMATS = ".txt .md .docx .pdf .html .htm .xlsx .csv"


def _gazetteer_label(path):
    """“聊城市（liaocheng.gazetteer.toml）”: an administrator chooses by the place the file
    describes (its `jurisdiction`); the file name alone says little. A file that cannot be
    read keeps its bare name here; choosing it gives the parser's message on import."""
    try:
        place = load_gazetteer(path).jurisdiction
    except PlanError:
        return path.name
    return _("%(place)s（%(file)s）") % {"place": place, "file": path.name} if place else path.name


def _gazetteer_choices():
    folder = settings.TRACKER_SEEDS_DIR
    return [("", _("不使用（只按原文识别单位）"))] + [
        (p.name, _gazetteer_label(p)) for p in sorted(folder.glob("*.gazetteer.toml"))
    ]


def _size(n):
    return filesizeformat(n).replace("\xa0", " ")


class ImportForm(forms.Form):
    source_file = forms.FileField(
        label=_("方案文件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": FORMATS.replace(" ", ",")}),
    )
    source_text = forms.CharField(
        label=_("或直接粘贴方案全文"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    review_file = forms.FileField(
        label=_("审核文件（可选）"),
        required=False,
        help_text=_(
            "TOML 格式，记录管理员对原文没有写明之处的决定及依据，导入后显示为“管理员确定”。"
        ),
    )
    gazetteer = forms.ChoiceField(label=_("地名与单位简称"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_file"].help_text = _(
            "Word（.docx）、带文字层的 PDF、从政府网站保存的网页（.html）、"
            "Excel 任务分工表（.xlsx/.csv）或纯文本（.txt/.md，UTF-8 或 GB18030），"
            "按文件内容识别格式；不超过 %(limit)s。旧版 .doc/.xls 请先另存为 .docx/.xlsx。"
        ) % {"limit": _size(settings.TRACKER_IMPORT_MAX_BYTES)}
        self.fields["source_text"].help_text = _(
            "不超过 %(limit)s；更长的方案请存为文件后上传。"
        ) % {"limit": _size(settings.TRACKER_IMPORT_PASTE_MAX_BYTES)}
        choices = _gazetteer_choices()
        cast(forms.ChoiceField, self.fields["gazetteer"]).choices = choices
        if len(choices) == 2:
            self.fields["gazetteer"].initial = choices[1][0]

    def clean_source_file(self):
        upload = self.cleaned_data.get("source_file")
        limit = settings.TRACKER_IMPORT_MAX_BYTES
        if upload and upload.size > limit:
            raise ValidationError(
                _("文件有 %(size)s，超过上限 %(limit)s。")
                % {"size": _size(upload.size), "limit": _size(limit)}
            )
        return upload

    def clean_source_text(self):
        text = self.cleaned_data.get("source_text") or ""
        size, limit = len(text.encode("utf-8")), settings.TRACKER_IMPORT_PASTE_MAX_BYTES
        if size > limit:
            # The bound form shows the text again: nothing the administrator pasted is lost.
            raise ValidationError(
                _(
                    "粘贴的文本有 %(size)s，超过粘贴上限 %(limit)s。请把它保存为 .txt 文件，"
                    "用上面的“方案文件”上传（文件上限 %(file_limit)s）。"
                )
                % {
                    "size": _size(size),
                    "limit": _size(limit),
                    "file_limit": _size(settings.TRACKER_IMPORT_MAX_BYTES),
                }
            )
        return text

    def clean_review_file(self):
        review = self.cleaned_data.get("review_file")
        if not review:
            return ""
        limit = settings.TRACKER_IMPORT_REVIEW_MAX_BYTES
        if review.size > limit:
            raise ValidationError(
                _("审核文件有 %(size)s，超过上限 %(limit)s。")
                % {"size": _size(review.size), "limit": _size(limit)}
            )
        try:
            return decode(review.read())
        except PlanDecodeError as error:
            raise ValidationError(_("审核文件无法读取：%(error)s") % {"error": error}) from error

    def clean_gazetteer(self):
        name = self.cleaned_data.get("gazetteer") or ""
        gazetteer_path(name)  # ValidationError for a name that is not on the list
        return name

    def clean(self):
        super().clean()
        data = self.cleaned_data
        upload = data.get("source_file")
        pasted = data.get("source_text") or ""
        if self.errors:
            return data
        if upload and pasted.strip():
            raise ValidationError(_("请上传文件或粘贴文本，二选一。"))
        if not upload and not pasted.strip():
            raise ValidationError({"source_text": _("请上传方案文件，或粘贴方案全文。")})
        data["from_file"] = bool(upload)
        data["review_text"] = data.get("review_file") or ""
        if upload:
            data["source_bytes"] = upload.read()
            data["source_name"] = upload.name[:200]
        else:
            data["source_bytes"] = pasted.encode("utf-8")
            data["source_name"] = str(_("网页粘贴文本"))
        return data
