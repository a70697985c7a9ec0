"""What an uploaded file really is, decided by its bytes, never by its name or the
browser's Content-Type; and what is stored instead of it.

- Photos (JPEG, PNG, WebP, GIF): the pixel count is checked from the header before any
  pixel is decoded (``EVIDENCE_MAX_PIXELS``, Pillow's ``MAX_IMAGE_PIXELS``: a
  decompression bomb is refused), then the image is verified, decoded, turned upright
  (``exif_transpose``), shrunk to ``EVIDENCE_MAX_SIDE`` and re-encoded as JPEG (PNG when
  it has transparency or was PNG/GIF). Re-encoding drops every EXIF tag and anything
  hidden after the image data; the GPS tags are written back only when the uploader
  asked to keep the location. A thumbnail is made from the same image.
- Documents: PDF (``%PDF-`` at byte 0), XLSX and DOCX (a ZIP whose ``[Content_Types].xml``
  names the workbook or document main part; macro-enabled ones are refused). Stored as
  uploaded and always downloaded as an attachment.
Everything else (an HTML or PHP page named ``.jpg``, an executable …) is refused."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError


class EvidenceRefused(Exception):
    """A file or an attach refused, with a message for the uploader. ``code``:
    ``too_large`` (413), ``type`` (not an accepted kind), ``image`` (a broken image or a
    bomb), ``forbidden`` (403), ``invalid``."""

    def __init__(self, code: str, message: str):
        super().__init__(str(message))
        self.code = code
        self.message = str(message)


PHOTO, DOCUMENT = "photo", "document"

# Magic numbers (the first bytes) of the accepted kinds.
IMAGE_FORMATS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
OOXML = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}
OOXML_MAX_MEMBERS = 2000
OOXML_MAX_UNCOMPRESSED = 100 * 1024 * 1024
CONTENT_TYPES_MAX = 1024 * 1024
CT_NAMESPACE = "{http://schemas.openxmlformats.org/package/2006/content-types}"


@dataclass(frozen=True)
class PreparedFile:
    """A checked file ready to store: its bytes (re-encoded for photos), extension, MIME
    type, kind, the thumbnail's bytes and extension (photos), and the uploader's name
    for it (cleaned, extension matching what is stored)."""

    content: bytes
    extension: str
    mime_type: str
    kind: str
    original_name: str
    thumbnail: bytes | None = None
    thumbnail_extension: str = ""
    kept_location: bool = False

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def max_mb() -> int:
    return settings.EVIDENCE_MAX_BYTES // (1024 * 1024)


def too_large_message(size: int | None = None) -> str:
    if size:
        return _("文件过大：每个文件不能超过 %(max)d MB（本次约 %(size).1f MB）。") % {
            "max": max_mb(),
            "size": size / (1024 * 1024),
        }
    return _("文件过大：每个文件不能超过 %(max)d MB。") % {"max": max_mb()}


def sniff(head: bytes) -> str | None:
    """The kind named by the first bytes of a file: jpeg, png, gif, webp, pdf, zip, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def clean_name(name: str, extension: str) -> str:
    """The uploader's file name, for the download's label only: no directories, no control
    characters, at most 120 characters, ending in the stored file's extension."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = os.path.splitext(base)[0][:120] or _("证明材料")
    return f"{stem}.{extension}"


def refuse_type() -> EvidenceRefused:
    return EvidenceRefused(
        "type",
        _("文件类型不受支持：只接受照片（JPEG、PNG、WebP、GIF）和 PDF、Excel（xlsx）、Word（docx）文件。"),
    )


def prepare(upload, *, keep_location: bool = False) -> PreparedFile:
    """Check one uploaded file (a Django ``UploadedFile``) and make what is stored.
    Raises ``EvidenceRefused`` with a message for the uploader; reads nothing of a file
    whose declared size is over the cap."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise EvidenceRefused("too_large", too_large_message(upload.size))
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise EvidenceRefused("too_large", too_large_message(len(data)))
    if not data:
        raise EvidenceRefused("invalid", _("文件是空的。"))
    kind = sniff(data[:16])
    if kind in IMAGE_FORMATS:
        return _prepare_image(data, kind, upload.name, keep_location)
    if kind == "pdf":
        return PreparedFile(data, "pdf", "application/pdf", DOCUMENT, clean_name(upload.name, "pdf"))
    if kind == "zip":
        extension, mime_type = _office_kind(data)
        return PreparedFile(data, extension, mime_type, DOCUMENT, clean_name(upload.name, extension))
    raise refuse_type()


def _office_kind(data: bytes) -> tuple[str, str]:
    """(extension, MIME type) of an XLSX or DOCX, read from its [Content_Types].xml."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            if len(members) > OOXML_MAX_MEMBERS or sum(m.file_size for m in members) > OOXML_MAX_UNCOMPRESSED:
                raise EvidenceRefused("type", _("压缩包内容过多或解压后过大。"))
            names = {m.filename for m in members}
            if "[Content_Types].xml" not in names:
                raise refuse_type()
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise EvidenceRefused("type", _("不接受含宏的 Office 文件。"))
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_MAX:
                raise refuse_type()
            root = ElementTree.fromstring(package.read(info))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ElementTree.ParseError, ValueError, OSError) as exc:
        raise refuse_type() from exc
    declared = {el.get("ContentType", "") for el in root.iter(f"{CT_NAMESPACE}Override")}
    if any("macroEnabled" in value for value in declared):
        raise EvidenceRefused("type", _("不接受含宏的 Office 文件。"))
    kinds = {OOXML[value] for value in declared if value in OOXML}
    if len(kinds) != 1:
        raise refuse_type()
    return kinds.pop()


def _bomb() -> EvidenceRefused:
    return EvidenceRefused(
        "image",
        _("图片像素过多（最多 %(mp)d 百万像素），可能是恶意文件，已拒收。")
        % {"mp": settings.EVIDENCE_MAX_PIXELS // 1_000_000},
    )


def _broken() -> EvidenceRefused:
    return EvidenceRefused("image", _("图片已损坏或格式不符，无法读取。"))


def _complete(kind: str, data: bytes) -> bool:
    """Whether the file is whole. Checked here because Pillow fills a cut-off image with
    grey instead of failing once ``ImageFile.LOAD_TRUNCATED_IMAGES`` is on, and WeasyPrint
    (the PDF reports) turns it on for the whole process when imported."""
    if kind == "jpeg":
        return data.rfind(b"\xff\xd9") > 2  # the end-of-image marker (a trailer may follow)
    if kind == "webp":
        return int.from_bytes(data[4:8], "little") + 8 <= len(data)
    return True  # PNG (verify() reads every chunk's CRC to IEND), GIF


def _prepare_image(data: bytes, kind: str, name: str, keep_location: bool) -> PreparedFile:
    Image.MAX_IMAGE_PIXELS = settings.EVIDENCE_MAX_PIXELS
    if not _complete(kind, data):
        raise _broken()
    with warnings.catch_warnings():
        # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that: both refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[IMAGE_FORMATS[kind]]) as probe:
                width, height = probe.size
                if width * height > settings.EVIDENCE_MAX_PIXELS:
                    raise _bomb()
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=[IMAGE_FORMATS[kind]])
            image.load()  # the first frame of an animation
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb() from exc
        except EvidenceRefused:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, IndexError, TypeError) as exc:
            raise _broken() from exc
    try:
        return _re_encode(image, kind, name, keep_location)
    except (OSError, ValueError, SyntaxError, TypeError, KeyError, struct.error) as exc:
        # Pixels or EXIF Pillow decoded but cannot convert or write back (odd modes, a
        # malformed orientation or GPS block): refused like any broken image.
        raise _broken() from exc


def _re_encode(image: Image.Image, kind: str, name: str, keep_location: bool) -> PreparedFile:
    gps = {}
    if keep_location:
        gps = dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    as_png = kind in ("png", "gif") or has_alpha
    image = image.convert(("RGBA" if has_alpha else "RGB") if image.mode not in ("L", "RGB") else image.mode)
    side = settings.EVIDENCE_MAX_SIDE
    if max(image.size) > side:
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
    exif = Image.Exif()
    if gps:
        exif[ExifTags.IFD.GPSInfo] = gps
    content = _encode(image, as_png, exif)
    thumb = image.copy()
    size = settings.EVIDENCE_THUMB_SIZE
    thumb.thumbnail((size, size), Image.Resampling.LANCZOS)
    extension = "png" if as_png else "jpg"
    return PreparedFile(
        content=content,
        extension=extension,
        mime_type="image/png" if as_png else "image/jpeg",
        kind=PHOTO,
        original_name=clean_name(name, extension),
        thumbnail=_encode(thumb, as_png, Image.Exif()),
        thumbnail_extension=extension,
        kept_location=bool(gps),
    )


def _encode(image: Image.Image, as_png: bool, exif: Image.Exif) -> bytes:
    out = io.BytesIO()
    options = {"exif": exif.tobytes()} if len(exif) else {}
    if as_png:
        image.save(out, "PNG", optimize=True, **options)
    else:
        image.save(out, "JPEG", quality=85, optimize=True, **options)
    return out.getvalue()
