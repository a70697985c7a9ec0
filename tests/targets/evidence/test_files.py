"""What an upload is, decided by its bytes: pages named .jpg, image bombs, macro
documents are refused with a message; photos come out re-encoded, upright, without EXIF
(GPS only when kept on purpose), with a thumbnail."""

import io
import time

import pytest
from PIL import ExifTags, Image

from targets.evidence.files import EvidenceRefused, prepare

from . import samples


def refused(name, data, **kwargs) -> EvidenceRefused:
    start = time.perf_counter()
    with pytest.raises(EvidenceRefused) as caught:
        prepare(samples.upload(name, data), **kwargs)
    assert time.perf_counter() - start < 1
    return caught.value


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("shell.jpg", samples.PHP),
        ("page.jpg", samples.HTML),
        ("page.png", b"\xef\xbb\xbf" + samples.HTML),
        ("run.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        ("notes.docx", b"PK\x03\x04" + b"\x00" * 100),  # a ZIP header and nothing behind it
        ("archive.xlsx", samples.ooxml("application/xml")),  # a ZIP, but not a workbook
    ],
)
def test_it_refuses_a_file_that_is_not_what_its_name_says(name, data):
    error = refused(name, data)
    assert error.code == "type"
    assert "文件类型不受支持" in error.message


def test_it_refuses_a_macro_enabled_office_file():
    assert "含宏" in refused("report.docx", samples.ooxml(samples.DOCM_MAIN)).message
    with_vba = samples.ooxml(samples.DOCX_MAIN, {"word/vbaProject.bin": b"\x00"})
    assert "含宏" in refused("report.docx", with_vba).message


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (8_000, 8_000)])
def test_it_refuses_an_image_bomb_from_its_header_without_decoding_it(width, height):
    bomb = samples.png_bomb(width, height)
    assert len(bomb) < 200
    error = refused("photo.png", bomb)
    assert error.code == "image"
    assert "像素过多" in error.message


@pytest.mark.parametrize("lenient", [False, True])
def test_it_refuses_a_broken_image_and_a_jpeg_header_before_a_page(monkeypatch, lenient):
    from PIL import ImageFile

    # Lenient: as once WeasyPrint (the PDF reports) is imported in the same process.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", lenient)
    jpeg = samples.jpeg_with_gps()
    assert refused("cut.jpg", jpeg[: len(jpeg) // 3]).code == "image"
    png = samples.image_bytes("PNG", size=(300, 200))
    assert refused("cut.png", png[: len(png) // 2]).code == "image"
    webp = samples.image_bytes("WEBP", size=(300, 200))
    assert refused("cut.webp", webp[: len(webp) // 2]).code == "image"
    assert refused("poly.jpg", b"\xff\xd8\xff\xe0" + samples.HTML).code == "image"


def test_it_refuses_a_file_over_the_cap_without_reading_it(settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    error = refused("big.jpg", samples.jpeg_with_gps())
    assert error.code == "too_large"
    assert "不能超过" in error.message


def test_it_strips_exif_and_location_and_turns_the_photo_upright():
    prepared = prepare(samples.upload("工地.jpeg", samples.jpeg_with_gps()))
    image = Image.open(io.BytesIO(prepared.content))
    assert (prepared.kind, prepared.mime_type, prepared.extension) == ("photo", "image/jpeg", "jpg")
    assert image.size == (600, 800)  # orientation 6 applied: portrait
    assert dict(image.getexif()) == {}
    assert b"HUAWEI" not in prepared.content
    assert prepared.original_name == "工地.jpg" and not prepared.kept_location
    thumb = Image.open(io.BytesIO(prepared.thumbnail))
    assert max(thumb.size) == 320


def test_it_keeps_the_location_only_when_asked():
    prepared = prepare(samples.upload("site.jpg", samples.jpeg_with_gps()), keep_location=True)
    exif = Image.open(io.BytesIO(prepared.content)).getexif()
    assert dict(exif.get_ifd(ExifTags.IFD.GPSInfo)) == samples.GPS
    assert ExifTags.Base.Make not in exif
    assert prepared.kept_location
    assert dict(Image.open(io.BytesIO(prepared.thumbnail)).getexif()) == {}


@pytest.mark.parametrize(
    ("fmt", "mode", "mime_type"),
    [("WEBP", "RGB", "image/jpeg"), ("GIF", "RGB", "image/png"), ("PNG", "RGBA", "image/png")],
)
def test_it_re_encodes_other_images_as_jpeg_or_png(fmt, mode, mime_type):
    prepared = prepare(samples.upload(f"a.{fmt.lower()}", samples.image_bytes(fmt, mode=mode)))
    assert prepared.mime_type == mime_type
    assert Image.open(io.BytesIO(prepared.content)).format == mime_type.split("/")[1].upper()


def test_it_keeps_documents_as_they_are_under_a_clean_name():
    pdf = prepare(samples.upload("../../etc/整改报告\x00.pdf.exe", samples.PDF, "application/x-msdownload"))
    assert (pdf.kind, pdf.mime_type, pdf.content) == ("document", "application/pdf", samples.PDF)
    assert pdf.original_name == "整改报告.pdf.pdf"
    book = prepare(samples.upload("清单.jpg", samples.xlsx()))
    assert book.extension == "xlsx" and book.original_name == "清单.xlsx"
    assert book.mime_type.endswith("spreadsheetml.sheet")
    assert prepare(samples.upload("x", samples.ooxml(samples.DOCX_MAIN))).extension == "docx"


@pytest.mark.parametrize("mode", ["I;16", "CMYK", "1", "LA", "P"])
def test_it_re_encodes_or_refuses_every_image_mode_but_never_fails(mode):
    out = io.BytesIO()
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    Image.new(mode, (40, 30)).save(out, fmt)
    try:
        prepared = prepare(samples.upload("odd.png", out.getvalue()))
    except EvidenceRefused as exc:
        assert exc.code == "image"
    else:
        assert Image.open(io.BytesIO(prepared.content)).size == (40, 30)
