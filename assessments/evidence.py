"""What an uploaded evidence file really is, read from its content, not its name."""

import io
import zipfile

TYPES = {
    "pdf": ("application/pdf", (".pdf",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
}
ALLOWED = "PDF, Word (.docx), Excel (.xlsx), PNG or JPEG"


def sniff(head, data_for_zip=None):
    """'pdf', 'docx', 'xlsx', 'png', 'jpeg' or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04") and data_for_zip is not None:
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data_for_zip)).namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
    return None


def check_upload(upload, max_bytes):
    """The kind of a valid upload; ValueError with the user's message otherwise."""
    if upload.size == 0:
        raise ValueError("The file is empty.")
    if upload.size > max_bytes:
        raise ValueError(f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is {max_bytes // 1024 // 1024} MB.")
    data = upload.read()
    upload.seek(0)
    kind = sniff(data[:16], data)
    if kind is None:
        raise ValueError(f"This file's content is not one we accept ({ALLOWED}), whatever its name says.")
    if not upload.name.lower().endswith(TYPES[kind][1]):
        raise ValueError(f"This file is a {kind.upper()} by its content but is named “{upload.name}”; rename it to match.")
    CHECKS[kind](data)
    return kind


# Beyond the first bytes: each kind must be what it claims, all the way through ------------------------------------

MAX_OFFICE_UNZIPPED = 100 * 1024 * 1024  # what a .docx or .xlsx may unzip to (a 10 MB file of text is far less)
MAX_OFFICE_PARTS = 2000
MACRO_PARTS = ("vbaproject.bin", "vbadata.xml", "activex")
EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF", b"#!")
NOT_WHAT_IT_CLAIMS = "This file is not a valid {kind}: it may be damaged, or another kind of file renamed. Save it again from the program that made it."


def _check_pdf(data):
    """It must parse as a PDF with at least one page (pypdf, not strict: real-world PDFs bend the rules)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = len(PdfReader(io.BytesIO(data), strict=False).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as error:
        raise ValueError(NOT_WHAT_IT_CLAIMS.format(kind="PDF")) from error
    if pages < 1:
        raise ValueError(NOT_WHAT_IT_CLAIMS.format(kind="PDF"))


def _check_office(kind):
    label = {"docx": "Word document (.docx)", "xlsx": "Excel workbook (.xlsx)"}[kind]

    def check(data):
        """OOXML without macros or embedded programs, within an unzipped size."""
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise ValueError(NOT_WHAT_IT_CLAIMS.format(kind=label)) from error
        if len(infos) > MAX_OFFICE_PARTS or sum(info.file_size for info in infos) > MAX_OFFICE_UNZIPPED:
            raise ValueError(f"This {label} unzips to far more than a document of its size should; save it again, or attach it as a PDF.")
        names = [info.filename.lower() for info in infos]
        try:
            types = archive.read("[Content_Types].xml").lower() if archive.getinfo("[Content_Types].xml").file_size < 1024 * 1024 else b""
        except (KeyError, zipfile.BadZipFile, OSError, ValueError) as error:
            raise ValueError(NOT_WHAT_IT_CLAIMS.format(kind=label)) from error
        if any(part in name for name in names for part in MACRO_PARTS) or b"macroenabled" in types or b"vbaproject" in types:
            raise ValueError(f"This {label} holds macros. Save it as a plain .{kind} (without macros) and try again.")
        for info in infos:
            if "/embeddings/" in info.filename.lower() or info.filename.lower().endswith((".exe", ".dll", ".bin", ".com", ".bat", ".cmd", ".ps1", ".js", ".vbs")):
                try:
                    with archive.open(info) as part:
                        head = part.read(8)
                except (zipfile.BadZipFile, OSError, ValueError) as error:
                    raise ValueError(NOT_WHAT_IT_CLAIMS.format(kind=label)) from error
                if head.startswith(EXECUTABLE_SIGNATURES) or head.startswith(b"\xd0\xcf\x11\xe0") or not info.filename.lower().startswith(("word/media/", "xl/media/")):
                    raise ValueError(f"This {label} has a program or another file embedded in it ({info.filename.rsplit('/', 1)[-1]}). Remove it, or attach the document as a PDF.")

    return check


def _check_image(kind):
    label = {"png": "PNG image", "jpeg": "JPEG image"}[kind]

    def check(data):
        """It must decode as the image it says it is, of a sane size (no decompression bomb)."""
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > 80_000_000:
                    raise ValueError(f"This {label} is {image.width:,} × {image.height:,} pixels; attach a smaller one.")
                image.verify()
        except ValueError:
            raise
        except Exception as error:  # Pillow raises many kinds for a broken or hostile image
            raise ValueError(NOT_WHAT_IT_CLAIMS.format(kind=label)) from error

    return check


CHECKS = {"pdf": _check_pdf, "docx": _check_office("docx"), "xlsx": _check_office("xlsx"), "png": _check_image("png"), "jpeg": _check_image("jpeg")}
