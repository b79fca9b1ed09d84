"""A `DomainError` on a Django form: the one mapping of service refusals to form errors."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from jineng.core.errors import DomainError


def add_domain_error(
    form: forms.BaseForm, err: DomainError, names: Mapping[str, str] | None = None
) -> None:
    """Put the error's Chinese message beside the form field it names, or among the form's
    non-field errors when the form has no such field (or the error names none).

    `names` maps a service's field name to the form's where they differ
    (`{"id_number": "new_id_number"}`).
    """
    field = (names or {}).get(err.field, err.field)
    form.add_error(field if field and field in form.fields else None, err.message)
