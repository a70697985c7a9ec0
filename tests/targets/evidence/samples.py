"""Files to upload: honest ones made with Pillow, openpyxl and zipfile, hostile ones by
hand (pages named .jpg, a PNG header announcing 10 billion pixels), and a multipart body
streamed from a sparse file (no 100 MB ever held in memory)."""

import io
import os
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import ExifTags, Image

GPS = {1: "N", 2: (34.0, 45.0, 36.0), 3: "E", 4: (113.0, 44.0, 0.0)}  # 郑东新区, roughly


def jpeg_with_gps(size=(800, 600), orientation=6) -> bytes:
    """A JPEG with a camera maker, an orientation (6: turn 90° to stand upright) and GPS."""
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((30, 90, 200), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "HUAWEI"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def image_bytes(fmt: str, size=(64, 48), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 60) if mode == "RGB" else (10, 120, 60, 128)).save(out, fmt)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width=100_000, height=100_000) -> bytes:
    """A valid-looking PNG of a few dozen bytes whose header claims width × height pixels
    (10 billion by default: about 30 GB once decoded)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


PHP = b"<?php system($_GET['c']); ?>\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "整改清单"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ooxml(main_type: str, extra: dict | None = None) -> bytes:
    """A minimal OOXML package whose [Content_Types].xml names ``main_type``."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>'
        "</Types>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", types)
        package.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return out.getvalue()


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def upload(name: str, data: bytes, content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


class MultipartStream:
    """A multipart/form-data body read from disk as the server asks for it: the form's
    fields, then one file part whose content is ``path`` (a sparse file costs no disk).
    ``consumed`` says how many bytes the server read."""

    def __init__(self, fields: dict, field: str, filename: str, path, boundary="zdBOUNDARYzd"):
        self.boundary = boundary
        head = b""
        for key, value in fields.items():
            head += (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
            ).encode()
        head += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        self.head, self.tail = head, f"\r\n--{boundary}--\r\n".encode()
        self.file = open(path, "rb")  # noqa: SIM115 (closed by close())
        self.length = len(head) + os.path.getsize(path) + len(self.tail)
        self.parts = [io.BytesIO(self.head), self.file, io.BytesIO(self.tail)]
        self.consumed = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def read(self, size=-1):
        out = b""
        while self.parts and (size < 0 or len(out) < size):
            chunk = self.parts[0].read(-1 if size < 0 else size - len(out))
            if not chunk:
                self.parts.pop(0)
                continue
            out += chunk
        self.consumed += len(out)
        return out

    def readline(self, size=-1):  # not used by the multipart parser; WSGI asks for it
        return self.read(size)

    def close(self):
        self.file.close()


def sparse_file(path, size: int):
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def post_stream(client, path: str, stream: MultipartStream):
    """POST ``stream`` through the test client's handler, as a server would hand it over."""
    return client.request(
        REQUEST_METHOD="POST",
        PATH_INFO=path,
        CONTENT_TYPE=stream.content_type,
        CONTENT_LENGTH=str(stream.length),
        **{"wsgi.input": stream},
    )
