"""The look-alike's reference people in the admin: people with several photos, added one by one or as a zip of
photos named by person. Every photo goes through gallery.references, and so through the configured face backends."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.translation import gettext

from curation.admin.common import CheckedSelectionMixin
from emotion_garden.archives import ArchiveRefused
from emotion_garden.imaging import InvalidImage
from gallery.faces.base import FaceServiceUnavailable
from gallery.models import ReferencePerson, ReferencePhoto
from gallery.references import (
    MAX_ARCHIVE_BYTES,
    DuplicatePhoto,
    add_reference_photo,
    check_reference_photo,
    import_reference_archive,
    person_name,
    person_named,
)
from gallery.services import NoFaceFound

_REFUSALS = (InvalidImage, NoFaceFound, DuplicatePhoto, FaceServiceUnavailable)


def _reason(error: Exception) -> str:
    return error.message if isinstance(error, InvalidImage) else str(error)


class ReferencePhotoForm(forms.ModelForm):
    """A new photo is checked here (an image, not in the collection yet, with a face) and enrolled when the person
    is saved (ReferencePersonAdmin.save_formset), so that nothing is enrolled for a form that then fails. A stored
    photo can be deleted, not replaced."""

    class Meta:
        model = ReferencePhoto
        fields = ["photo"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.photo_bytes: bytes | None = None
        if self.instance.pk:
            self.fields["photo"].disabled = True

    def clean_photo(self) -> Any:
        upload = self.cleaned_data["photo"]
        if self.instance.pk or not upload:
            return upload
        data = upload.read()
        upload.seek(0)
        try:
            check_reference_photo(photo=data)
        except _REFUSALS as error:
            raise forms.ValidationError(_reason(error)) from None
        self.photo_bytes = data
        return upload


class ReferencePhotoInline(admin.TabularInline):
    model = ReferencePhoto
    form = ReferencePhotoForm
    extra = 1
    readonly_fields = ["preview", "model"]

    @admin.display(description="preview")
    def preview(self, reference: ReferencePhoto) -> str:
        if not reference.photo:
            return ""
        # A height attribute, not a style: the Content-Security-Policy allows no inline style.
        return format_html('<img src="{}" alt="" height="96">', reference.photo.url)


class ArchiveForm(forms.Form):
    archive = forms.FileField(
        help_text="A .zip of photos named by person: Grace_Hopper_0001.jpg and Grace_Hopper_0002.jpg are two photos "
                  "of “Grace Hopper”. Folders inside the zip do not matter.",
    )

    def clean_archive(self) -> Any:
        archive = self.cleaned_data["archive"]
        if archive.size > MAX_ARCHIVE_BYTES:
            raise forms.ValidationError(f"The archive is larger than {MAX_ARCHIVE_BYTES // (1024 * 1024)} MB.")
        return archive


class ReferencePersonForm(forms.ModelForm):
    class Meta:
        model = ReferencePerson
        fields = ["name", "info_url"]

    def clean_name(self) -> str:
        try:
            name = person_name(self.cleaned_data["name"])
        except ArchiveRefused as refusal:
            raise forms.ValidationError(refusal.reason) from None
        # The database's constraint would refuse it too, but with an error page rather than a reason.
        namesake = person_named(name=name)
        if namesake is not None and namesake.pk != self.instance.pk:
            raise forms.ValidationError(
                gettext("“%(name)s” is already a reference person (names are compared ignoring case and spacing): "
                        "add the photos to that person instead.") % {"name": namesake.name},
                code="duplicate_name")
        return name


@admin.register(ReferencePerson)
class ReferencePersonAdmin(CheckedSelectionMixin, admin.ModelAdmin):
    """The look-alike collection: people visitors are compared with, each with one or more photos."""

    form = ReferencePersonForm
    list_display = ["name", "info_url", "photo_count"]
    search_fields = ["name"]
    inlines = [ReferencePhotoInline]
    change_list_template = "admin/gallery/referenceperson/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReferencePerson]:
        return super().get_queryset(request).annotate(photo_count=Count("photos"))

    @admin.display(description="photos", ordering="photo_count")
    def photo_count(self, person: ReferencePerson) -> int:
        return person.photo_count  # type: ignore[attr-defined]

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: BaseInlineFormSet,
                     change: bool) -> None:
        formset.save(commit=False)  # sorts the forms into new, changed and deleted
        for photo in formset.deleted_objects:
            photo.delete()
        for photo_form in formset.forms:
            if photo_form.photo_bytes is None or photo_form in formset.deleted_forms:
                continue
            try:
                add_reference_photo(person=form.instance, photo=photo_form.photo_bytes)
            except _REFUSALS as error:
                # The check passed a moment ago, so this is rare: an outage, or a face the enrolling backend refused.
                messages.error(request, f"{photo_form.cleaned_data['photo'].name} was not added: {_reason(error)}")

    def get_urls(self) -> list[URLPattern]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="gallery_referenceperson_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        # An import creates people and their photos, so it takes the right to add both (the Curators group has it).
        photo_opts = ReferencePhoto._meta
        if not (self.has_add_permission(request) and request.user.has_perm(
                f"{photo_opts.app_label}.{get_permission_codename('add', photo_opts)}")):
            raise PermissionDenied
        form = ArchiveForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = import_reference_archive(archive=form.cleaned_data["archive"].read())
            except ArchiveRefused as refusal:
                form.add_error("archive", refusal.reason)
            except FaceServiceUnavailable as error:
                form.add_error(None, f"The face service is unavailable ({error}). Nothing was imported; please try "
                                     "again later.")
        return TemplateResponse(request, "admin/gallery/referenceperson/import.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": "Import reference people",
            "form": form, "report": report,
        })
