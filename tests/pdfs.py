"""PDFs built byte by byte for the tests: a one-page document, and the same with active
content hidden in the ways a plain text search misses (escaped names, compressed object
streams). Nothing is downloaded; every file is made here."""

from __future__ import annotations

import zlib

CONTENT = b"0 0 m 200 200 l S"

BASE = {
    1: b"<< /Type /Catalog /Pages 2 0 R >>",
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    4: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(CONTENT), CONTENT),
}


def flate_stream(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data)
    return b"<< /Filter /FlateDecode /Length %d %s>>\nstream\n%s\nendstream" % (
        len(packed),
        extra,
        packed,
    )


def build_pdf(objects: dict[int, bytes] | None = None, *, packed: frozenset[int] = frozenset()):
    """A PDF of `objects` (number → body). Objects in `packed` go into a compressed
    object stream with a cross-reference stream (PDF 1.5), as modern writers do."""
    objects = dict(BASE if objects is None else objects)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    top = max(objects)
    if not packed:
        for number in sorted(objects):
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
        xref_at = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (top + 1)
        for number in range(1, top + 1):
            if number in offsets:
                out += b"%010d 00000 n \n" % offsets[number]
            else:
                out += b"0000000000 65535 f \n"
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (top + 1, xref_at)
        return bytes(out)

    stream_number, xref_number = top + 1, top + 2
    header, body, index = [], bytearray(), {}
    for position, number in enumerate(sorted(packed)):
        header.append(b"%d %d" % (number, len(body)))
        body += objects[number] + b"\n"
        index[number] = position
    first = b" ".join(header) + b"\n"
    objects[stream_number] = flate_stream(
        first + bytes(body), b"/Type /ObjStm /N %d /First %d " % (len(packed), len(first))
    )
    for number in sorted(objects):
        if number in packed:
            continue
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref_at = len(out)
    rows = bytearray()
    for number in range(xref_number + 1):
        if number in index:
            rows += bytes([2]) + stream_number.to_bytes(4, "big") + index[number].to_bytes(2, "big")
        elif number in offsets:
            rows += bytes([1]) + offsets[number].to_bytes(4, "big") + b"\0\0"
        elif number == xref_number:
            rows += bytes([1]) + xref_at.to_bytes(4, "big") + b"\0\0"
        else:
            rows += bytes([0]) + b"\0\0\0\0" + b"\xff\xff"
    xref = flate_stream(
        bytes(rows), b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R " % (xref_number + 1)
    )
    out += b"%d 0 obj\n%s\nendobj\n" % (xref_number, xref)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def with_catalog(extra: bytes, more: dict[int, bytes] | None = None) -> dict[int, bytes]:
    """The base document with `extra` in its catalog and `more` objects beside it."""
    objects = dict(BASE)
    objects[1] = objects[1].replace(b" >>", b" " + extra + b" >>")
    objects.update(more or {})
    return objects


PLAIN = build_pdf()
