"""Crispy's markup of a list's filter and bulk forms, kept in Django's cache: crispy costs
about half a millisecond a field, and a page such as the triage board has eight fields
that are the same for everyone of an estate looking at the same filters.

The key holds the language, the form, the chosen values and errors, the estates the
reader's lists show and the version of the reference data (proposals/ideas/reference.py:
categories, buildings and campaigns, whose changes bump it). A field whose choices are
anything else (the staff one may assign) is named in `read`: its choices are read, one
query as before, and go into the key.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from proposals.ideas import reference

TIMEOUT = reference.TIMEOUT


def kept_fields(form, names: tuple[str, ...], *, user, read: tuple[str, ...] = ()) -> dict:
    """{name: crispy's markup of form[name]} for `names`, rendered once per combination."""
    read_choices = []
    for name in read:
        field = form.fields[name]
        # read once (iter: no COUNT query for a length hint), also by crispy below
        field.choices = evaluated = list(iter(field.choices))
        read_choices.append([(str(value), str(label)) for value, label in evaluated])
    shown = repr(
        (
            type(form).__qualname__,
            names,
            get_language(),
            reference.version(),
            reference.estates_key(user),
            read_choices,
            [str(form[name].value() or "") for name in names],
            form.is_bound and form.errors.as_data(),
        )
    )
    key = "proposals:kept-fields:" + hashlib.blake2b(shown.encode(), digest_size=16).hexdigest()
    markup = cache.get(key)
    if markup is None:
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

        markup = {name: str(as_crispy_field(form[name])) for name in names}
        cache.set(key, markup, TIMEOUT)
    return {name: SafeString(field_markup) for name, field_markup in markup.items()}


def row_of_fields(fields: dict, column: str) -> SafeString:
    """The fields side by side, each in a Bootstrap column."""
    return mark_safe("".join(f'<div class="{column}">{markup}</div>' for markup in fields.values()))
