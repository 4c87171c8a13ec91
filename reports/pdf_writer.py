"""Three costs pydyf (the PDF writer under WeasyPrint) pays on every tagged report that buy nothing; removed once, when
the reports app loads (issue #17, measured in docs/benchmarks.md).

1. **Compression level.** pydyf deflates every stream at zlib's slowest level, 9. A tagged report keeps about 12,000
   small structure objects in one object stream, text so repetitive that level 9 searches long match chains for almost
   nothing: on the demo report it spends 0.17 s where the default level 6 spends 0.03 s, for a file 3 % larger.
   The content is byte-for-byte the same once inflated.
2. **Page references.** WeasyPrint's tagging asks pydyf for the list of page references once per tagged box, and pydyf
   builds the whole list again each time (7,000 times for 44 pages). We keep it until a page is added.

3. **Turning values into bytes.** Every key and value of those 12,000 structure objects passes through pydyf's
   `_to_bytes`, which asks `isinstance` of each in turn (bytes, float, pdf object) before it reaches the names and
   numbers most of them are: 300,000 calls a report. We answer bytes, text and whole numbers by their exact type first
   and hand everything else to pydyf's own function, so the bytes written are the same.

All three keep pydyf's behaviour and only change how fast it gets there; `install()` is idempotent and a test checks each.
"""

import zlib

import pydyf

COMPRESSION_LEVEL = 6  # zlib's own default: its speed/size balance point


class _Deflate:
    """What pydyf reaches for as `zlib`, with its level-9 request answered at COMPRESSION_LEVEL."""

    compress = staticmethod(zlib.compress)

    @staticmethod
    def compressobj(level=COMPRESSION_LEVEL, *args, **kwargs):
        return zlib.compressobj(COMPRESSION_LEVEL, *args, **kwargs)


def _page_references(pdf):
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_page_references"] = cached
    return cached[1]


_pydyf_to_bytes = pydyf._to_bytes


def _to_bytes(item):
    kind = type(item)
    if kind is bytes:
        return item
    if kind is str:
        return item.encode("ascii")  # as pydyf: str(item).encode("ascii")
    if kind is int:
        return b"%d" % item
    return _pydyf_to_bytes(item)  # floats, pdf objects, bools and the rest, exactly as pydyf writes them


def install():
    """Apply all three, once per process (called from ReportsConfig.ready)."""
    if pydyf.zlib is not _Deflate:
        pydyf.zlib = _Deflate
    if pydyf.PDF.__dict__["page_references"].fget is not _page_references:
        pydyf.PDF.page_references = property(_page_references)
    if pydyf._to_bytes is not _to_bytes:
        pydyf._to_bytes = _to_bytes
