"""Every file the app hands out (XLSX, CSV, PDF) leaves through here: one content type and filename rule, never cached."""

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"


def download(content, filename, content_type, *, inline=False):
    """An attachment response (or inline, for a PDF opened in the browser); the filename is reduced to safe characters."""
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in filename)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{safe}"'
    response["Cache-Control"] = "private, no-store"
    return response


def xlsx(content, filename):
    return download(content, filename, XLSX)


def csv(content, filename):
    return download(content, filename, CSV)


def pdf(content, filename, *, inline=False):
    return download(content, filename, PDF, inline=inline)
