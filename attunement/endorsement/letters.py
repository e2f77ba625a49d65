"""Decision-letter templates: the placeholders a template may use, checked when it is saved,
and a renderer that only ever substitutes those names (no attribute or index access, no
format specifications or conversions, whatever the stored text says)."""

from __future__ import annotations

import string

from django.utils.translation import gettext as _

PLACEHOLDERS = ("name", "category", "association", "date", "feedback", "code")


def _listed() -> str:
    return ", ".join("{" + name + "}" for name in PLACEHOLDERS)


def _written(name: str, conversion: str | None, spec: str | None) -> str:
    return "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"


def placeholder_errors(text: str, label: str) -> list[str]:
    """Why ``text`` is not a usable template, one sentence per problem, each naming the field
    (``label``) and the placeholder; empty when it is fine."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return [_("%(field)s: a “{” or “}” without its pair; write {{ or }} for a brace itself.") % {"field": label}]
    errors = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        written = _written(name, conversion, spec)
        if name in PLACEHOLDERS and (spec or conversion):
            errors.append(
                _("%(field)s: “%(placeholder)s” has a format after “:” or “!”; write the placeholder alone.")
                % {"field": label, "placeholder": written}
            )
        elif name not in PLACEHOLDERS:
            errors.append(
                _("%(field)s: unknown placeholder “%(placeholder)s”; use only %(allowed)s.")
                % {"field": label, "placeholder": written, "allowed": _listed()}
            )
    return errors


def render(text: str, values: dict[str, str]) -> str:
    """``text`` with its known placeholders filled in. Anything else in braces (unknown,
    dotted, indexed, with a format) is left as written, and a malformed template is sent as
    it is: a stored template can neither reach into a value nor fail the letter."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return text
    out = []
    for literal, name, spec, conversion in parts:
        out.append(literal)
        if name is None:
            continue
        if name in PLACEHOLDERS and not spec and not conversion:
            out.append(str(values.get(name, "")))
        else:
            out.append(_written(name, conversion, spec))
    return "".join(out)
