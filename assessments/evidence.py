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
    return kind
