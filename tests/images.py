"""Image files for upload tests, good and bad, made in memory."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg_bytes(size=(64, 48), color=(200, 80, 40), exif=None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG", **({"exif": exif} if exif else {}))
    return buffer.getvalue()


def png_bytes(size=(32, 32), mode="RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format="PNG")
    return buffer.getvalue()


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (31.0, 14.0, 0.0)
    gps[3] = "E"
    gps[4] = (121.0, 28.0, 0.0)
    return exif.tobytes()


def rotated_jpeg_bytes() -> bytes:
    """A 60×20 picture whose EXIF says: turn me 90° (orientation 6) to view."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return jpeg_bytes(size=(60, 20), exif=exif.tobytes())


def png_bomb_bytes(width=20000, height=20000) -> bytes:
    """A tiny file that claims to be a 20000×20000 PNG: a decompression bomb."""
    raw = bytearray(png_bytes(size=(1, 1), mode="L"))
    ihdr_start = 8 + 8  # signature, then length and type of IHDR
    raw[ihdr_start : ihdr_start + 8] = struct.pack(">II", width, height)
    data = bytes(raw[ihdr_start - 4 : ihdr_start + 13])
    raw[ihdr_start + 13 : ihdr_start + 17] = struct.pack(">I", zlib.crc32(data))
    return bytes(raw)


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def good_photo(name="photo.jpg") -> SimpleUploadedFile:
    return upload(name, jpeg_bytes())


def text_named_jpg() -> SimpleUploadedFile:
    return upload("notes.jpg", "这不是图片 not a picture\n".encode() * 20)


def truncated_jpeg() -> SimpleUploadedFile:
    content = jpeg_bytes(size=(400, 300))
    return upload("cut.jpg", content[: len(content) // 2])


def png_bomb() -> SimpleUploadedFile:
    return upload("huge.png", png_bomb_bytes(), "image/png")


def twelve_megabytes() -> SimpleUploadedFile:
    head = jpeg_bytes()
    return upload("big.jpg", head + b"\0" * (12 * 1024 * 1024 - len(head)))
