from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from regie.tips.attachments import (
    AttachmentRejected,
    FileKind,
    Limits,
    sanitise,
    sniff,
)

SECRET = "Jan de Vries"


def _jpeg_with_exif(orientation: int = 1) -> bytes:
    img = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "EOS 5D serial 1234"  # Model
    exif[0x013B] = SECRET  # Artist
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 30.0), 3: "E", 4: (5.0, 7.0, 12.0)}  # GPS IFD
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, comment=SECRET.encode(), icc_profile=b"ICC-" * 40)
    return buf.getvalue()


def test_jpeg_exif_gps_is_gone() -> None:
    data = _jpeg_with_exif()
    with Image.open(io.BytesIO(data)) as before:
        assert before.getexif().get_ifd(0x8825)  # the fixture really has GPS
        assert before.getexif()[0x013B] == SECRET
    clean = sanitise(data)
    assert clean.kind is FileKind.JPEG and clean.content_type == "image/jpeg"
    assert clean.extension == "jpg"
    assert SECRET.encode() not in clean.data and b"Canon" not in clean.data
    assert b"Exif" not in clean.data and b"ICC-" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as after:
        assert len(after.getexif()) == 0
        assert not after.getexif().get_ifd(0x8825)
        assert "icc_profile" not in after.info and "comment" not in after.info
        assert after.size == (40, 20)


def test_jpeg_orientation_is_applied_to_pixels() -> None:
    clean = sanitise(_jpeg_with_exif(orientation=6))  # "rotate 90° clockwise to view"
    with Image.open(io.BytesIO(clean.data)) as after:
        assert after.size == (20, 40)


def test_png_text_and_exif_are_gone() -> None:
    img = Image.new("RGBA", (8, 8), (0, 0, 255, 128))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET)
    info.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{SECRET}</x:xmpmeta>")
    exif = Image.Exif()
    exif[0x013B] = SECRET
    buf = io.BytesIO()
    img.save(buf, "PNG", pnginfo=info, exif=exif)
    assert SECRET.encode() in buf.getvalue()
    clean = sanitise(buf.getvalue())
    assert clean.kind is FileKind.PNG
    assert SECRET.encode() not in clean.data
    with Image.open(io.BytesIO(clean.data)) as after:
        assert after.mode == "RGBA" and after.getpixel((0, 0)) == (0, 0, 255, 128)
        assert not getattr(after, "text", {})
        assert len(after.getexif()) == 0


def test_palette_png_keeps_palette() -> None:
    img = Image.new("P", (4, 4), 1)
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    buf = io.BytesIO()
    img.save(buf, "PNG", transparency=0)
    with Image.open(io.BytesIO(sanitise(buf.getvalue()).data)) as after:
        assert after.convert("RGB").getpixel((0, 0)) == (255, 0, 0)


def _pdf_with_metadata(encrypt: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": SECRET, "/Creator": "Word voor Jan", "/Title": "Melding"})
    xmp = DecodedStreamObject()
    xmp.set_data(f"<x:xmpmeta><dc:creator>{SECRET}</dc:creator></x:xmpmeta>".encode())
    xmp.update({NameObject("/Type"): NameObject("/Metadata")})
    writer.root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    if encrypt:
        writer.encrypt("wachtwoord")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_pdf_author_and_xmp_are_gone() -> None:
    data = _pdf_with_metadata()
    metadata = PdfReader(io.BytesIO(data)).metadata
    assert metadata is not None and metadata.author == SECRET
    clean = sanitise(data)
    assert clean.kind is FileKind.PDF and clean.notes
    assert SECRET.encode() not in clean.data and b"Word voor Jan" not in clean.data
    reader = PdfReader(io.BytesIO(clean.data))
    assert len(reader.pages) == 1
    assert not reader.metadata  # no /Info at all (not even pypdf's /Producer)
    assert "/Metadata" not in reader.root_object


def test_encrypted_pdf_is_refused() -> None:
    with pytest.raises(AttachmentRejected, match="wachtwoord"):
        sanitise(_pdf_with_metadata(encrypt=True))


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"/>'
)
RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Type="x" Target="word/document.xml"/>'
    b'<Relationship Id="rId2" Type="y" Target="docProps/thumbnail.jpeg"/></Relationships>'
)


def _docx(extra: dict[str, bytes] | None = None) -> bytes:
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": RELS,
        "word/document.xml": (
            b'<w:document><w:ins w:id="1" w:author="Jan de Vries" w:date="2024-03-12T10:00:00Z">'
            b"<w:r><w:t>Tekst</w:t></w:r></w:ins></w:document>"
        ),
        "word/comments.xml": b'<w:comments><w:comment w:author="Jan de Vries" w:initials="JdV"/>'
        b"</w:comments>",
        "word/people.xml": b'<w15:people xmlns:w15="x"><w15:person w15:author="Jan de Vries"/>'
        b"</w15:people>",
        "docProps/core.xml": b"<cp:coreProperties><dc:creator>Jan de Vries</dc:creator>"
        b"<cp:lastModifiedBy>Jan de Vries</cp:lastModifiedBy></cp:coreProperties>",
        "docProps/app.xml": b"<Properties><Company>Bakkerij Jansen BV</Company></Properties>",
        "docProps/custom.xml": b"<Properties><property name='Klant'>Jan de Vries</property>"
        b"</Properties>",
        "docProps/thumbnail.jpeg": b"\xff\xd8\xff Jan de Vries",
        **(extra or {}),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in parts.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 3, 12, 10, 0, 0)), content)
    return buf.getvalue()


def test_docx_properties_and_authors_are_gone() -> None:
    clean = sanitise(_docx())
    assert clean.kind is FileKind.DOCX and clean.extension == "docx"
    with zipfile.ZipFile(io.BytesIO(clean.data)) as zf:
        names = zf.namelist()
        assert "docProps/thumbnail.jpeg" not in names
        assert "word/document.xml" in names and "docProps/core.xml" in names
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            content = zf.read(info)
            assert b"Jan de Vries" not in content, info.filename
            assert b"Bakkerij" not in content
        assert b"thumbnail" not in zf.read("_rels/.rels")
        assert b"<w:t>Tekst</w:t>" in zf.read("word/document.xml")
        assert zf.read("docProps/core.xml").endswith(b"/>")


def test_xlsx_and_pptx_are_sniffed() -> None:
    for main, kind in (("xl/workbook.xml", FileKind.XLSX), ("ppt/presentation.xml", FileKind.PPTX)):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("[Content_Types].xml", CONTENT_TYPES)
            zf.writestr(main, b"<x/>")
            zf.writestr("docProps/core.xml", b"<c>Jan de Vries</c>")
            zf.writestr(
                "xl/comments1.xml",
                b"<comments><authors><author>Jan de Vries</author></authors></comments>",
            )
            zf.writestr(
                "ppt/commentAuthors.xml",
                b'<p:cmAuthorLst><p:cmAuthor id="0" '
                b'name="Jan de Vries" initials="JdV" lastIdx="1"/></p:cmAuthorLst>',
            )
        clean = sanitise(buf.getvalue())
        assert clean.kind is kind
        with zipfile.ZipFile(io.BytesIO(clean.data)) as zf:
            for info in zf.infolist():
                assert b"Jan de Vries" not in zf.read(info) and b"JdV" not in zf.read(info)


def test_macros_are_refused() -> None:
    with pytest.raises(AttachmentRejected, match="macro"):
        sanitise(_docx({"word/vbaProject.bin": b"\x00" * 10}))


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00 this is an exe",
        b"GIF89a....",
        b"PK\x03\x04 not really a zip",
        b"<html>Jan</html>",
    ],
)
def test_unknown_types_are_refused_by_content(data: bytes) -> None:
    assert sniff(data) is None
    with pytest.raises(AttachmentRejected, match="Toegestaan zijn"):
        sanitise(data)


def test_plain_zip_is_not_an_office_file() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", b"<x/>")  # no [Content_Types].xml
    assert sniff(buf.getvalue()) is None


def test_extension_does_not_matter() -> None:
    # A JPEG is a JPEG whatever it was called; nothing here reads a file name.
    assert sniff(_jpeg_with_exif()) is FileKind.JPEG


def test_limits() -> None:
    with pytest.raises(AttachmentRejected, match="leeg"):
        sanitise(b"")
    with pytest.raises(AttachmentRejected, match="te groot"):
        sanitise(_jpeg_with_exif(), Limits(max_bytes=100))
    with pytest.raises(AttachmentRejected, match="pixels"):
        sanitise(_jpeg_with_exif(), Limits(max_pixels=100))
    with pytest.raises(AttachmentRejected, match="uitgepakt te groot"):
        sanitise(_docx({"word/big.xml": b"0" * 5000}), Limits(max_zip_uncompressed=4000))
    with pytest.raises(AttachmentRejected, match="onderdelen"):
        sanitise(_docx(), Limits(max_zip_entries=3))


def test_corrupt_image_is_refused() -> None:
    with pytest.raises(AttachmentRejected, match="beschadigd"):
        sanitise(b"\xff\xd8\xff\xe0" + b"\x00" * 50)


def test_corrupt_pdf_is_refused() -> None:
    with pytest.raises(AttachmentRejected, match="beschadigd"):
        sanitise(b"%PDF-1.7\n garbage")
