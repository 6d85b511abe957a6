"""How values are written out, the same on every page: HTML escaped as Django's templates
escape it, and numbers as people write them."""

import html

from django.utils.safestring import mark_safe


def escaped(value):
    """What {{ value }} writes (Django's conditional_escape, as a plain str): a safe string
    as it is, anything else escaped -- without Django's check for lazy strings on every
    call, which cost a page of fifty rows more than the rows themselves (issue 10)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def escape(value):
    """Django's conditional_escape()."""
    return mark_safe(escaped(value))


def safe_format(fmt, *args):
    """Django's format_html() for the app's own format strings, with escaped()."""
    return mark_safe(fmt.format(*map(escaped, args)))


def safe_join(sep, fmt, rows):
    """Django's format_html_join(), with escaped()."""
    return mark_safe(sep.join(safe_format(fmt, *row) for row in rows))


def plain_number(value):
    """A stored decimal as a person writes it: 10, 12.5 (not 10.0000, nor normalize()'s
    1E+1)."""
    return format(value.normalize(), "f")
