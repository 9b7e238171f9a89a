"""Prompt templates in the admin, each shown as the prompt it renders."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from curation.admin.common import CheckedSelectionMixin
from curation.models import PromptTemplate
from curation.placeholders import PromptError, check_placeholders
from curation.prompts import render_prompt
from emotion_garden.themes import checked_theme


class PromptTemplateForm(forms.ModelForm):
    class Meta:
        model = PromptTemplate
        fields = ["name", "emotion", "theme", "text", "negative_text"]

    def clean_theme(self) -> str:
        # Filed as images are (any order, case, synonym or Korean label): `bogus words <b>` was kept as typed, and a
        # theme written another way than the normalised one never picked its template.
        return checked_theme(self.cleaned_data["theme"])

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        try:
            check_placeholders(text=text)
        except PromptError as error:
            raise forms.ValidationError(str(error)) from None
        return text


@admin.register(PromptTemplate)
class PromptTemplateAdmin(CheckedSelectionMixin, admin.ModelAdmin):
    form = PromptTemplateForm
    list_display = ["name", "emotion", "theme", "preview", "updated_at"]
    list_filter = ["emotion", "theme"]
    search_fields = ["name", "theme", "text"]
    readonly_fields = ["preview", "created_at", "updated_at"]
    fields = ["name", "emotion", "theme", "text", "negative_text", "preview", "created_at", "updated_at"]

    @admin.display(description=gettext_lazy("rendered"))
    def preview(self, template: PromptTemplate) -> str:
        """The prompt this template sends for its own emotion and theme (for a general template: with no theme)."""
        if not template.pk:
            return "—"
        try:
            return render_prompt(text=template.text, emotion=template.emotion, theme=template.theme)
        except PromptError as error:
            return _("Cannot be rendered: %(error)s") % {"error": error}
