"""An idea's images: checked by their content (PNG, JPEG, WebP), stored re-encoded without
their metadata, added and removed by the idea's authors and the coordination office. Each change
is one transaction with an audit entry (`idea.image_*`) and checks the permission itself."""

import io
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from stadtallianz.core.audit import audit_log
from stadtallianz.core.office import with_office

from . import permissions
from .models import Idea, IdeaImage

IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_COUNT = 10
# Formats as Pillow names them after reading the file; the file name's extension is not trusted.
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
# Decoding is needed to strip metadata; 5 MB of PNG can hold far more pixels than a photo.
IMAGE_MAX_PIXELS = 40_000_000
# What the re-encoded file keeps of the original's metadata: the colour profile (without it a
# wide-gamut photo shows wrong colours) and PNG transparency. No EXIF (GPS position, camera,
# time), no XMP, no text chunks.
IMAGE_KEPT_INFO = ("icc_profile", "transparency")


def check_image(upload) -> str:
    """The file's extension after reading it as an image (PNG, JPEG, WebP), else a
    ValidationError: the name and the content type the browser sent are not trusted."""
    if upload.size > IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The image is %(size)s; it may be at most %(max)s."), code="too_large",
            params={"size": filesizeformat(upload.size), "max": filesizeformat(IMAGE_MAX_BYTES)})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format, pixels = image.format, image.width * image.height
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as error:
        raise ValidationError(_("This file is not an image we can read."),
                              code="not_an_image") from error
    finally:
        upload.seek(0)
    if pixels > IMAGE_MAX_PIXELS:
        raise ValidationError(
            _("The image has too many pixels; at most %(max)s million, please."),
            code="too_many_pixels", params={"max": IMAGE_MAX_PIXELS // 1_000_000})
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(_("Upload a PNG, JPEG or WebP image."), code="format")
    return IMAGE_FORMATS[image_format]


def without_metadata(upload) -> ContentFile:
    """The image re-encoded in its own format without its metadata: photos carry EXIF with the
    GPS position of where they were taken (often the person's home), the camera and the time,
    and images are public. The EXIF orientation is applied to the pixels first, so a photo
    taken upright stays upright. An animated image keeps its first frame."""
    try:
        upload.seek(0)
        with Image.open(upload) as original:
            image_format = original.format
            image = ImageOps.exif_transpose(original)
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError
            ) as error:
        raise ValidationError(_("This file is not an image we can read."),
                              code="not_an_image") from error
    finally:
        upload.seek(0)
    kept = {key: image.info[key] for key in IMAGE_KEPT_INFO if key in image.info}
    image.info = {}
    buffer = io.BytesIO()
    options = {"quality": 90} if image_format in ("JPEG", "WEBP") else {}
    image.save(buffer, format=image_format, **kept, **options)
    return ContentFile(buffer.getvalue())


def image_add(*, idea: Idea, by, upload, alt_text: str) -> IdeaImage:
    """Checks the upload by its content and stores it re-encoded without metadata
    (`without_metadata`) under a random name; a failed transaction removes the file again."""
    written = []
    try:
        with transaction.atomic():
            idea = Idea.objects.select_for_update(of=("self",)).get(pk=idea.pk)
            if not permissions.can_edit(by, idea):
                raise PermissionDenied(with_office(_("Only the authors of an open idea and the "
                                                     "%(office)s add images.")))
            try:
                extension = check_image(upload)
                content = without_metadata(upload)
            except ValidationError as error:
                raise ValidationError({"image": error.error_list}) from error
            if not (alt_text or "").strip():
                raise ValidationError({"alt_text": ValidationError(
                    _("Describe what the image shows."), code="required")})
            if idea.images.count() >= IMAGE_MAX_COUNT:
                raise ValidationError({"image": _("An idea has at most %(max)s images.")
                                       % {"max": IMAGE_MAX_COUNT}}, code="too_many")
            position = (idea.images.aggregate(m=Max("position"))["m"] or 0) + 1
            image = IdeaImage(idea=idea, alt_text=alt_text.strip()[:300], position=position,
                              uploaded_by=by)
            image.image.save(f"{uuid.uuid4().hex}.{extension}", content, save=False)
            written.append((image.image.storage, image.image.name))
            image.save()
            audit_log(actor=by, action="idea.image_added", target=idea,
                      after={"image": image.image.name, "alt_text": image.alt_text})
    except Exception:
        for storage, name in written:
            storage.delete(name)
        raise
    return image


@transaction.atomic
def image_delete(*, image: IdeaImage, by) -> None:
    idea = Idea.objects.select_for_update(of=("self",)).get(pk=image.idea_id)
    if not permissions.can_edit(by, idea):
        raise PermissionDenied(with_office(_("Only the authors of an open idea and the %(office)s "
                                             "remove images.")))
    name, storage = image.image.name, image.image.storage
    audit_log(actor=by, action="idea.image_removed", target=idea,
              before={"image": name, "alt_text": image.alt_text})
    image.delete()
    transaction.on_commit(lambda: storage.delete(name))


