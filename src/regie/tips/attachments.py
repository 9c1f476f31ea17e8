"""Attachments of a tip: an allow-list by sniffed content, size limits, metadata stripping.

The type is decided by the file's content (magic bytes and, for office files, the zip's
parts), never by its name or the browser's content type. Allowed: JPEG, PNG, PDF, and the
Office Open XML formats docx/xlsx/pptx (without macros). Everything else is refused with a
Dutch message (:class:`AttachmentRejected`).

Stripping, per type:

* Images are decoded and re-encoded with Pillow from the pixels only: EXIF (including GPS and
  camera serial numbers), XMP, IPTC, ICC profiles, comments and PNG text chunks are gone.
  The EXIF orientation is applied to the pixels first, so the picture does not turn over.
  Animated PNGs keep their first frame. JPEGs are re-encoded at quality 90 (a small loss).
  A decompression-bomb limit (``max_pixels``) applies.
* PDF: the pages are copied into a new document (pypdf); the document information dictionary
  (author, creator, producer, dates, title) and the XMP stream of the catalog are not copied,
  and per page the XMP ``/Metadata``, ``/PieceInfo`` and actions (``/AA``) are removed and
  annotation authors (``/T``) and dates blanked. Document-level JavaScript, embedded files and
  outlines are not copied. Encrypted PDFs are refused.
* docx/xlsx/pptx: ``docProps/core.xml`` (author, last modified by, dates), ``app.xml``
  (company, manager, template, application) and ``custom.xml`` are replaced with empty,
  valid parts; ``docProps/thumbnail.*`` is dropped with its relationship; comment and
  tracked-change authors are blanked (Word ``w:author``/``w:initials``, Excel ``<author>`` and
  threaded-comment ``displayName``/``userId``, PowerPoint ``p:cmAuthor`` names); people parts
  (``word/people.xml``, ``xl/persons``) are emptied; all zip entry dates are set to
  1980-01-01. Zip bombs are refused (entry count and total uncompressed size limits).

Not stripped (documented limits): text in the document body, names in images' pixels, hidden
sheets or slides, embedded images inside office files and PDFs (their own EXIF); a warning
for the desk is in :attr:`CleanAttachment.notes`.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import NameObject


class FileKind(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"
    PPTX = "pptx"


CONTENT_TYPES: Final = {
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OFFICE_MAIN_PART: Final = {
    "word/document.xml": FileKind.DOCX,
    "xl/workbook.xml": FileKind.XLSX,
    "ppt/presentation.xml": FileKind.PPTX,
}


class AttachmentRejected(ValueError):
    """The attachment is refused; ``str(error)`` is a Dutch message for the reporter."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 50_000_000
    max_zip_entries: int = 2000
    max_zip_uncompressed: int = 200 * 1024 * 1024
    max_pdf_pages: int = 500


DEFAULT_LIMITS: Final = Limits()


@dataclass(frozen=True, slots=True)
class CleanAttachment:
    kind: FileKind
    data: bytes = field(repr=False)
    notes: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def extension(self) -> str:
        return "jpg" if self.kind is FileKind.JPEG else self.kind.value


def sniff(data: bytes) -> FileKind | None:
    """The allowed kind of ``data`` by its content, or ``None``."""
    if data.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if data[:1024].lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
        return FileKind.PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        for part, kind in _OFFICE_MAIN_PART.items():
            if part in names:
                return kind
    return None


def sanitise(data: bytes, limits: Limits = DEFAULT_LIMITS) -> CleanAttachment:
    """Check and strip one attachment; raises :class:`AttachmentRejected`."""
    if not data:
        raise AttachmentRejected("De bijlage is leeg.")
    if len(data) > limits.max_bytes:
        raise AttachmentRejected(
            f"De bijlage is te groot (meer dan {limits.max_bytes // (1024 * 1024)} MB)."
        )
    kind = sniff(data)
    if kind is None:
        raise AttachmentRejected(
            "Dit soort bestand kan niet worden meegestuurd. Toegestaan zijn foto's (JPEG, PNG), "
            "PDF en Word-, Excel- en PowerPoint-bestanden (docx, xlsx, pptx)."
        )
    if kind in (FileKind.JPEG, FileKind.PNG):
        return CleanAttachment(kind, strip_image(data, kind, limits))
    if kind is FileKind.PDF:
        return CleanAttachment(
            kind,
            strip_pdf(data, limits),
            ("Afbeeldingen in de PDF kunnen nog eigen metadata bevatten.",),
        )
    return CleanAttachment(
        kind,
        strip_office(data, limits),
        ("Tekst en afbeeldingen in het document zelf zijn niet gecontroleerd.",),
    )


# --------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------


def strip_image(data: bytes, kind: FileKind, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Re-encode a JPEG or PNG from its pixels only."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > limits.max_pixels:
                    raise AttachmentRejected("De afbeelding is te groot (te veel pixels).")
                img.seek(0)
                img.load()
                upright = ImageOps.exif_transpose(img) or img
                transparency = upright.info.get("transparency")
                pixels = upright.copy()
    except AttachmentRejected:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as error:  # fmt: skip
        raise AttachmentRejected(
            "De afbeelding is beschadigd of kan niet worden gelezen."
        ) from error
    # A fresh image without .info: nothing of the original's metadata can be written.
    clean = Image.new(pixels.mode, pixels.size)
    if pixels.mode == "P":
        palette = pixels.getpalette()
        if palette is not None:
            clean.putpalette(palette)
    clean.paste(pixels)
    out = io.BytesIO()
    if kind is FileKind.JPEG:
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(out, format="JPEG", quality=90, optimize=True)
    else:
        options: dict[str, object] = {"optimize": True}
        if transparency is not None and clean.mode in ("P", "L", "RGB"):
            options["transparency"] = transparency
        clean.save(out, format="PNG", **options)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------

_PAGE_KEYS_TO_DROP: Final = ("/Metadata", "/PieceInfo", "/AA", "/LastModified")
_ANNOT_KEYS_TO_DROP: Final = ("/T", "/M", "/CreationDate", "/Popup")


def strip_pdf(data: bytes, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Copy the pages into a new PDF without document information and XMP metadata."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise AttachmentRejected(
                "Deze PDF is beveiligd met een wachtwoord; stuur een onbeveiligde versie."
            )
        if len(reader.pages) > limits.max_pdf_pages:
            raise AttachmentRejected("De PDF heeft te veel pagina's.")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        for page in writer.pages:
            for key in _PAGE_KEYS_TO_DROP:
                if key in page:
                    del page[NameObject(key)]
            for annot_ref in page.get("/Annots", []) or []:
                annot = annot_ref.get_object()
                for key in _ANNOT_KEYS_TO_DROP:
                    if key in annot:
                        del annot[NameObject(key)]
        # pypdf writes a /Producer entry by default: replace the info with nothing.
        writer.metadata = None
        root = writer.root_object
        if "/Metadata" in root:
            del root[NameObject("/Metadata")]
        out = io.BytesIO()
        writer.write(out)
    except AttachmentRejected:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as error:
        raise AttachmentRejected("De PDF is beschadigd of kan niet worden gelezen.") from error
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Office Open XML
# --------------------------------------------------------------------------------------------

_EMPTY_CORE: Final = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://'
    b'purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
_EMPTY_APP: Final = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
    b'properties"/>'
)
_EMPTY_CUSTOM: Final = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-'
    b'properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'docPropsVTypes"/>'
)
_REPLACED_PARTS: Final = {
    "docProps/core.xml": _EMPTY_CORE,
    "docProps/app.xml": _EMPTY_APP,
    "docProps/custom.xml": _EMPTY_CUSTOM,
}
#: Author attributes of tracked changes and comments (Word), of threaded comments (Excel).
_AUTHOR_ATTRIBUTES: Final = re.compile(
    rb'\b(w:author|w:initials|author|userId|displayName)="[^"]*"'
)
#: Excel's legacy comment authors: ``<authors><author>Jan</author></authors>``.
_AUTHOR_ELEMENTS: Final = re.compile(rb"<author>[^<]*</author>")
#: PowerPoint's ``<p:cmAuthor name="Jan" initials="JdV" .../>``.
_PPT_COMMENT_AUTHOR: Final = re.compile(rb'(<p:cmAuthor\b[^>]*?\b(?:name|initials))="[^"]+"')
_THUMBNAIL_REL: Final = re.compile(rb"<Relationship\b[^>]*docProps/thumbnail[^>]*/>")
_PEOPLE_PART: Final = re.compile(r"^(word/people\.xml|xl/persons/[^/]+\.xml)$")
_ZIP_EPOCH: Final = (1980, 1, 1, 0, 0, 0)


def _blank_authors(name: str, content: bytes) -> bytes:
    content = _AUTHOR_ATTRIBUTES.sub(rb'\1=""', content)
    content = _AUTHOR_ELEMENTS.sub(b"<author></author>", content)
    if name.startswith("ppt/"):
        while True:  # one attribute per pass (name and initials)
            blanked = _PPT_COMMENT_AUTHOR.sub(rb'\1=""', content)
            if blanked == content:
                break
            content = blanked
    return content


def _is_macro_part(name: str) -> bool:
    return name.lower().endswith("vbaproject.bin")


def strip_office(data: bytes, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Rewrite a docx/xlsx/pptx zip with its metadata parts emptied (see module docstring)."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise AttachmentRejected("Het bestand is beschadigd.") from error
    with source:
        infos = source.infolist()
        if len(infos) > limits.max_zip_entries:
            raise AttachmentRejected("Het bestand bevat te veel onderdelen.")
        if sum(i.file_size for i in infos) > limits.max_zip_uncompressed:
            raise AttachmentRejected("Het bestand is uitgepakt te groot.")
        if any(_is_macro_part(i.filename) for i in infos):
            raise AttachmentRejected("Bestanden met macro's kunnen niet worden meegestuurd.")
        out = io.BytesIO()
        written = 0
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
            for info in infos:
                name = info.filename
                if name.startswith("docProps/thumbnail"):
                    continue
                content = source.read(info)
                written += len(content)
                if written > limits.max_zip_uncompressed:  # sizes in the header may lie
                    raise AttachmentRejected("Het bestand is uitgepakt te groot.")
                if name in _REPLACED_PARTS:
                    content = _REPLACED_PARTS[name]
                elif name.endswith(".rels"):
                    content = _THUMBNAIL_REL.sub(b"", content)
                elif _PEOPLE_PART.match(name):
                    content = _empty_root(content)
                elif name.endswith((".xml", ".rels")) and name.startswith(("word/", "xl/", "ppt/")):
                    content = _blank_authors(name, content)
                clean_info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
                clean_info.compress_type = zipfile.ZIP_DEFLATED
                clean_info.external_attr = 0o644 << 16
                target.writestr(clean_info, content)
    return out.getvalue()


def _empty_root(xml: bytes) -> bytes:
    """The root element of ``xml`` without children (keeps namespaces, drops content)."""
    match = re.search(rb"<([A-Za-z_][\w:.-]*)(\s[^>]*)?>", xml.split(b"?>", 1)[-1])
    if match is None:
        return xml
    tag, attrs = match.group(1), (match.group(2) or b"").rstrip(b"/")
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<' + tag + attrs + b"/>"


__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_LIMITS",
    "AttachmentRejected",
    "CleanAttachment",
    "FileKind",
    "Limits",
    "sanitise",
    "sniff",
    "strip_image",
    "strip_office",
    "strip_pdf",
]
