"""The placeholders a prompt template may hold, checked before str.format ever sees its text. Apart from
curation.prompts, which renders templates and so reads them: the model validates its texts with this too."""

import string

from django.core.exceptions import ValidationError

PLACEHOLDERS = ("emotion", "theme")


class PromptError(ValueError):
    """A prompt or template that cannot be rendered: unknown placeholders or unbalanced braces."""


def check_placeholders(*, text: str) -> None:
    """Raise PromptError unless every placeholder in `text` is a plain {emotion} or {theme}.

    Conversions, format specs and attribute or index lookups are refused too: str.format would evaluate them, and a
    template is written in the admin, not in code.
    """
    try:
        fields = [
            (name, conversion, spec) for _, name, spec, conversion in string.Formatter().parse(text) if name is not None
        ]
    except ValueError as error:
        raise PromptError(f"The braces do not match ({error}); write {{{{ and }}}} for literal braces.") from None
    allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    for name, conversion, spec in fields:
        if name not in PLACEHOLDERS or conversion or spec:
            shown = f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
            raise PromptError(f"Unknown placeholder {shown}: only {allowed} may be used.")


def validate_prompt_placeholders(text: str) -> None:
    """The model field validator of a template's texts: check_placeholders as a ValidationError."""
    try:
        check_placeholders(text=text)
    except PromptError as error:
        raise ValidationError(str(error), code="invalid_placeholder") from None
