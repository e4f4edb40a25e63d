"""Writes of the legal pages and of consent: each checks the permission, writes and audits in
one transaction (`legal.page.saved`, `legal.consent.given`)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from stadtallianz.core.audit import audit_log
from stadtallianz.core.office import office_name, with_office

from . import defaults
from .models import ConsentRecord, DocumentVersion, Kind


def _office_name(language: str) -> str:
    with translation.override(language):
        return office_name()


def _default_texts(kind: str) -> tuple[str, str]:
    return tuple(text.format(site=settings.SITE_NAME, office=_office_name(language))
                 for text, language in zip(defaults.TEXTS[kind], ("de", "en"), strict=True))


def current(kind: str) -> DocumentVersion:
    """The page's newest version; the first access makes version 1 from the defaults."""
    version = DocumentVersion.objects.of(kind).order_by("-number").first()
    if version is not None:
        return version
    text_de, text_en = _default_texts(kind)
    try:
        with transaction.atomic():
            return DocumentVersion.objects.create(kind=kind, number=1, text_de=text_de,
                                                  text_en=text_en)
    except IntegrityError:  # made by a concurrent request
        return DocumentVersion.objects.of(kind).order_by("-number").first()


def can_edit(user) -> bool:
    return user.is_authenticated and user.is_coordination_office


@transaction.atomic
def page_save(*, kind: str, by, text_de: str, text_en: str,
              material_change: bool = False) -> DocumentVersion:
    """The coordination office saves a page: every save is a new version. `material_change`
    (privacy notice only) asks everyone to accept the new version."""
    if not can_edit(by):
        raise PermissionDenied(with_office(_("Only the %(office)s edits the legal pages.")))
    if kind not in Kind.values:
        raise ValueError(kind)
    errors = {name: _("Please enter the text.")
              for name, value in (("text_de", text_de), ("text_en", text_en))
              if not (value or "").strip()}
    if errors:
        raise ValidationError(errors)
    # Locks the page's versions, so two saves at once get consecutive numbers.
    list(DocumentVersion.objects.of(kind).select_for_update().values_list("pk", flat=True))
    number = (DocumentVersion.objects.of(kind).aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion.objects.create(
        kind=kind, number=number, text_de=text_de.strip(), text_en=text_en.strip(),
        material_change=material_change and kind == Kind.PRIVACY, created_by=by)
    audit_log(actor=by, action="legal.page.saved", target=version,
              after={"kind": kind, "number": number,
                     "material_change": version.material_change})
    return version


def consent_needed(user) -> DocumentVersion | None:
    """The privacy notice version `user` must accept before going on, or None (one query)."""
    version = DocumentVersion.objects.consent_needed_by(user).first()
    return None if version is None or version.accepted else version


@transaction.atomic
def consent_give(*, user, version: DocumentVersion) -> ConsentRecord:
    """Records that `user` accepted `version` of the privacy notice (once per version)."""
    if version.kind != Kind.PRIVACY:
        raise ValueError("Consent is given to the privacy notice only.")
    record, created = ConsentRecord.objects.get_or_create(user=user, version=version)
    if created:
        audit_log(actor=user, action="legal.consent.given", target=user,
                  after={"version": version.number})
    return record
