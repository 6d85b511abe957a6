"""Forms of the web import."""

from typing import cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_PLAN_BYTES = 2 * 1024 * 1024


def _gazetteer_choices():
    folder = settings.TRACKER_SEEDS_DIR
    return [("", _("不使用（只按原文识别单位）"))] + [
        (p.name, p.name) for p in sorted(folder.glob("*.gazetteer.toml"))
    ]


def _gazetteer_path(name):
    if not name:
        return None
    path = settings.TRACKER_SEEDS_DIR / name
    # Only a file from the list: never a path the browser made up.
    if path.parent != settings.TRACKER_SEEDS_DIR or not path.is_file():
        raise ValidationError(_("未知的地名文件。"))
    return path


class ImportForm(forms.Form):
    source_file = forms.FileField(
        label=_("方案文本文件"),
        required=False,
        help_text=_("纯文本（.txt/.md），UTF-8 或 GB18030 编码，不超过 2 MB。"),
    )
    source_text = forms.CharField(
        label=_("或直接粘贴方案全文"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    review_file = forms.FileField(
        label=_("审核文件（可选）"),
        required=False,
        help_text=_("TOML 格式，记录管理员对导入结果的决定及理由。"),
    )
    gazetteer = forms.ChoiceField(label=_("地名与单位简称"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _gazetteer_choices()
        cast(forms.ChoiceField, self.fields["gazetteer"]).choices = choices
        if len(choices) == 2:
            self.fields["gazetteer"].initial = choices[1][0]

    def _read(self, upload, field):
        if upload.size > MAX_PLAN_BYTES:
            raise ValidationError({field: _("文件太大（上限 2 MB）。")})
        return upload.read()

    def clean(self):
        super().clean()
        data = self.cleaned_data
        upload, pasted = data.get("source_file"), (data.get("source_text") or "").strip()
        if upload and pasted:
            raise ValidationError(_("请上传文件或粘贴文本，二选一。"))
        if not upload and not pasted:
            raise ValidationError({"source_text": _("请上传方案文本文件，或粘贴方案全文。")})
        data["from_file"] = bool(upload)
        if upload:
            data["source_bytes"] = self._read(upload, "source_file")
            data["source_name"] = upload.name[:200]
        else:
            data["source_bytes"] = data["source_text"].encode("utf-8")
            data["source_name"] = _("网页粘贴文本")
        review = data.get("review_file")
        data["review_bytes"] = self._read(review, "review_file") if review else None
        data["gazetteer_path"] = _gazetteer_path(data.get("gazetteer"))
        return data


class ImportConfirmForm(forms.Form):
    source_text = forms.CharField(widget=forms.HiddenInput, strip=False)
    source_name = forms.CharField(widget=forms.HiddenInput, max_length=200)
    review_text = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)
    gazetteer = forms.CharField(widget=forms.HiddenInput, required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=300)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        data["gazetteer_path"] = _gazetteer_path(data.get("gazetteer"))
        return data
