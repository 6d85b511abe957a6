"""Widgets and fields every form of the app shares."""

import datetime as dt
import functools
from collections.abc import Hashable
from typing import cast

from django import forms
from django.core.validators import MaxValueValidator
from django.forms.renderers import DjangoTemplates
from django.utils.translation import get_language

from tracker.text import escaped

# The latest date a person may set as a due date, milestone or reply day — as the review file
# allows (plan.review.LAST_DATE). A typed year such as 9999 or 20277 is a slip of the keyboard:
# refused with the field's “不能大于” message rather than stored as a deadline.
LATEST_DAY = dt.date(2100, 12, 31)
NOT_TOO_FAR = [MaxValueValidator(LATEST_DAY)]


SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


class FormRenderer(DjangoTemplates):
    """Django's form renderer (settings.FORM_RENDERER), writing selects in Python: the
    list's filters render over a hundred options on every request, each through two
    template includes, and that was a fifth of the list's time (issue 10). The markup is
    Django's own, byte for byte (tests/test_fragments.py); a select whose options use
    another template is left to Django."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            html = _select(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)


def _attrs(attrs):
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(
            f" {escaped(name)}" if value is True else f' {escaped(name)}="{escaped(f"{value}")}"'
        )
    return "".join(out)


def _select(widget):
    """django/forms/widgets/select.html with select_option.html, or None for options of
    another template."""
    out = [f'<select name="{escaped(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{escaped(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION:
                return None
            out.append(
                f'\n  <option value="{escaped(f"{option['value']}")}"{_attrs(option["attrs"])}>'
                f"{escaped(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")  # the renderer strips the template's last newline
    return "".join(out)


class DateInput(forms.DateInput):
    """The browser's date picker; the value always in ISO form, as the picker expects. Every
    form and filter of the app uses this one."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field: cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


# --- our own words for what Django would say ----------------------------------------------
# Django's stock messages ("确保该变量包含不超过 2000 字符", "这个字段是必填项") name neither the
# field nor what to do. Every form of the app says it in its own words, naming the field.


def _kind(field):
    # A class is hashable; typeshed's type[...] does not say so to the caches below.
    return cast(Hashable, type(field))


def _messages_for(field):
    """The messages for one field's kind of value, naming it by its label."""
    from django.utils.translation import gettext as _

    return _messages(_kind(field), str(field.label or _("此项")), get_language())


# Every form built on every request asked for its fields' dozen messages anew: a hundred
# translations a request for the list's filters. They depend only on these three.
@functools.lru_cache(maxsize=4096)
def _messages(kind, label, language):
    from django.utils.translation import gettext as _

    # Django formats the messages it raises with values (limits, the value given) with %:
    # a % of the label itself (完成率（%）) is doubled in those, or it breaks the message.
    formatted = label.replace("%", "%%")
    choose = issubclass(kind, forms.ChoiceField | forms.ModelChoiceField | forms.FileField)
    messages = {
        "required": (_("请选择“%(label)s”。") if choose else _("请填写“%(label)s”。"))
        % {"label": label},
        "max_length": _("“%(label)s”最多 %%(limit_value)d 字，现在有 %%(show_value)d 字。")
        % {"label": formatted},
        "min_length": _("“%(label)s”至少 %%(limit_value)d 字。") % {"label": formatted},
        "min_value": _("“%(label)s”不能小于 %%(limit_value)s。") % {"label": formatted},
        "max_value": _("“%(label)s”不能大于 %%(limit_value)s。") % {"label": formatted},
        "invalid_choice": _("“%(label)s”的选项无效，请重新选择。") % {"label": formatted},
        "invalid_pk_value": _("“%(label)s”的选项无效，请重新选择。") % {"label": formatted},
        "max_digits": _("“%(label)s”的数字位数太多。") % {"label": formatted},
        "max_decimal_places": _("“%(label)s”最多 %%(max)s 位小数。") % {"label": formatted},
        "max_whole_digits": _("“%(label)s”的整数部分太长。") % {"label": formatted},
        "missing": _("没有收到“%(label)s”的文件，请重新选择。") % {"label": label},
        "empty": _("“%(label)s”中有空文件。") % {"label": label},
    }
    if issubclass(kind, forms.DateField):
        messages["invalid"] = _("“%(label)s”请填写有效的日期，如 2026-11-30。") % {"label": label}
        messages["max_value"] = _("“%(label)s”不能晚于 %%(limit_value)s，请检查年份。") % {
            "label": formatted
        }
    elif issubclass(kind, forms.IntegerField) and not issubclass(
        kind, forms.DecimalField | forms.FloatField
    ):
        messages["invalid"] = _("“%(label)s”请填写整数。") % {"label": label}
    elif issubclass(kind, forms.DecimalField | forms.FloatField):
        messages["invalid"] = _("“%(label)s”请填写数字。") % {"label": label}
    elif issubclass(kind, forms.FileField):
        messages["invalid"] = _("“%(label)s”不是有效的文件。") % {"label": label}
    return messages


@functools.cache
def _django_defaults(kind):
    """Django's default messages of a kind of field, as Field.__init__ gathers them."""
    defaults: dict[str, object] = {}
    for cls in reversed(kind.__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    return defaults


def speak_our_words(form):
    """Give every field of `form` our own messages, keeping any a field sets itself."""
    for field in form.fields.values():
        defaults = _django_defaults(_kind(field))
        # A message the form declared itself differs from Django's default: it stays.
        kept = {
            key: value
            for key, value in field.error_messages.items()
            if key in defaults and value is not defaults[key] and str(value) != str(defaults[key])
        }
        # Field.run_validators puts these in place of the validators' own messages too.
        field.error_messages = {**field.error_messages, **_messages_for(field), **kept}


class OwnWordsForm(forms.Form):
    """A form that speaks the app's own words (speak_our_words). A form that shares its page
    with others names its fields' ids by `id_prefix` (id_deadline_reason), so that no two
    fields of a page have the same id and each label focuses its own field."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        speak_our_words(self)
