"""A deterministic corpus of broken and awkward image files, all made from one real face photo.

Three kinds of case:
- blind mutations of every accepted format (truncations, bit flips, byte insertions and deletions), seeded, so a
  failure names a file that can be made again;
- format-aware corruptions that reach deeper into the decoders than random bytes do: PNG chunk lengths, CRCs and
  header fields, JPEG markers and segment lengths, WebP RIFF and chunk sizes, GIF screen and frame sizes;
- crafted files: valid but awkward (animation, CMYK, 16-bit, alpha, odd EXIF, extreme aspect ratios) or lying
  (huge or zero declared dimensions, header only, an image format we do not accept).

Every file must get an answer: a reading, or a clear refusal. Which one is not fixed here, because a flipped bit may
leave a perfectly decodable photo.
"""

import io
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image
from skimage import data as skimage_data

SEED = 20240808
# Small enough that a decodable variant costs the face pipeline ~20 ms, large enough that the face is still found.
FACE_SIDE = 160
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    content_type: str


def face_photo() -> Image.Image:
    """The astronaut's face (scikit-image's public-domain NASA portrait), cropped and scaled down."""
    return Image.fromarray(skimage_data.astronaut()).crop((100, 0, 400, 300)).resize((FACE_SIDE, FACE_SIDE))


def corpus(seed: int = SEED) -> list[Case]:
    face = face_photo()
    rng = random.Random(seed)
    bases = {
        "jpeg": (_encode(face, "JPEG", quality=85), "image/jpeg"),
        "jpeg-progressive": (_encode(face, "JPEG", quality=85, progressive=True), "image/jpeg"),
        "png": (_encode(face, "PNG"), "image/png"),
        "png-interlaced": (_encode(face, "PNG", interlace=1), "image/png"),
        "webp": (_encode(face, "WEBP", quality=80), "image/webp"),
        "webp-lossless": (_encode(face, "WEBP", lossless=True), "image/webp"),
        "gif": (_encode(face, "GIF"), "image/gif"),
    }
    cases = [
        Case(f"{base}/{mutation}", mutated, content_type)
        for base, (data, content_type) in bases.items()
        for mutation, mutated in _blind_mutations(data, rng)
    ]
    png, jpeg = bases["png"][0], bases["jpeg"][0]
    cases += [Case(f"png/{name}", data, "image/png") for name, data in _png_corruptions(png)]
    cases += [Case(f"jpeg/{name}", data, "image/jpeg") for name, data in _jpeg_corruptions(jpeg, rng)]
    for base in ("webp", "webp-lossless"):
        cases += [Case(f"{base}/{name}", data, "image/webp") for name, data in _webp_corruptions(bases[base][0])]
    cases += [Case(f"gif/{name}", data, "image/gif") for name, data in _gif_corruptions(bases["gif"][0])]
    cases += list(_crafted(face, png, jpeg))
    names = [case.name for case in cases]
    assert len(names) == len(set(names)), "case names must be unique: they are the test ids"
    return cases


def _encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


# --- Blind mutations ------------------------------------------------------------------------------------------------

def _blind_mutations(data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    # Cut inside the signature, inside the headers, half-way, at random, and just before the end.
    for cut in sorted({4, 16, 64, len(data) // 2, rng.randrange(64, len(data) - 1), len(data) - 2}):
        yield f"truncated-at-{cut}", data[:cut]
    for flips in (1, 1, 2, 4, 16, 64):
        mutated = bytearray(data)
        positions = [rng.randrange(len(data)) for _ in range(flips)]
        for position in positions:
            mutated[position] ^= 1 << rng.randrange(8)
        yield f"flipped-{flips}-bits-from-{min(positions)}", bytes(mutated)
    for _ in range(3):
        position, size = rng.randrange(len(data)), rng.randint(1, 16)
        yield f"inserted-{size}-at-{position}", data[:position] + rng.randbytes(size) + data[position:]
    for _ in range(3):
        position, size = rng.randrange(len(data) - 16), rng.randint(1, 16)
        yield f"deleted-{size}-at-{position}", data[:position] + data[position + size:]


# --- PNG -------------------------------------------------------------------------------------------------------------

def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_file(width: int, height: int, *, bit_depth: int = 8, colour_type: int = 2, raw: bytes = b"\x00" * 64,
             interlace: int = 0) -> bytes:
    """A PNG with a correct structure (every CRC right) whose header may say anything about the pixels."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, interlace)
    return PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")


def _png_chunks(data: bytes) -> list[tuple[int, bytes]]:
    """(offset, type) of every chunk."""
    chunks, offset = [], len(PNG_SIGNATURE)
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunks.append((offset, kind))
        offset += 12 + length
    return chunks


def _png_corruptions(png: bytes) -> Iterator[tuple[str, bytes]]:
    chunks = _png_chunks(png)
    for offset, kind in chunks:
        (length,) = struct.unpack(">I", png[offset:offset + 4])
        for label, wrong in (("zero", 0), ("short", max(length - 1, 0)), ("long", length + 1),
                             ("huge", 0x7FFFFFFF), ("negative", 0xFFFFFFFF)):
            if wrong != length:
                yield f"{kind.decode()}-length-{label}", png[:offset] + struct.pack(">I", wrong) + png[offset + 4:]
        end = offset + 8 + length
        yield f"{kind.decode()}-bad-crc", png[:end] + bytes(b ^ 0xFF for b in png[end:end + 4]) + png[end + 4:]
        yield f"{kind.decode()}-type-garbled", png[:offset + 4] + b"qXyZ" + png[offset + 8:]
    ihdr_end = chunks[1][0]
    body = png[ihdr_end:]
    # IHDR fields a decoder must refuse, each with a correct CRC so that only the field itself is wrong.
    for label, fields in (("bit-depth-3", (3, 2, 0, 0, 0)), ("colour-type-5", (8, 5, 0, 0, 0)),
                          ("compression-1", (8, 2, 1, 0, 0)), ("filter-1", (8, 2, 0, 1, 0)),
                          ("interlace-2", (8, 2, 0, 0, 2)), ("palette-without-plte", (8, 3, 0, 0, 0)),
                          ("16-bit-palette", (16, 3, 0, 0, 0))):
        header = struct.pack(">II5B", FACE_SIDE, FACE_SIDE, *fields)
        yield f"IHDR-{label}", PNG_SIGNATURE + png_chunk(b"IHDR", header) + body
    yield "IHDR-twice", png[:ihdr_end] + png[len(PNG_SIGNATURE):ihdr_end] + body
    idat = next(offset for offset, kind in chunks if kind == b"IDAT")
    yield "IDAT-missing", png[:idat] + png_chunk(b"IEND", b"")
    yield "IDAT-not-zlib", png[:idat] + png_chunk(b"IDAT", b"\x00" * 512) + png_chunk(b"IEND", b"")
    yield "IDAT-bad-filter-bytes", png[:idat] + png_chunk(
        b"IDAT", zlib.compress(b"\x09" * (FACE_SIDE * (1 + 3 * FACE_SIDE)))) + png_chunk(b"IEND", b"")
    yield "garbage-chunk-before-IDAT", png[:idat] + png_chunk(b"zzZz", random.Random(1).randbytes(256)) + png[idat:]


# --- JPEG ------------------------------------------------------------------------------------------------------------

def _jpeg_segments(data: bytes) -> list[tuple[int, int]]:
    """(offset, marker) of every segment up to and including the start of scan."""
    segments, offset = [(0, 0xD8)], 2
    while offset + 4 <= len(data) and data[offset] == 0xFF:
        marker = data[offset + 1]
        segments.append((offset, marker))
        if marker == 0xDA:
            break
        (length,) = struct.unpack(">H", data[offset + 2:offset + 4])
        offset += 2 + length
    return segments


def _jpeg_corruptions(jpeg: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    segments = _jpeg_segments(jpeg)
    for offset, marker in segments[1:]:
        name = f"{marker:02X}@{offset}"  # DQT and DHT segments repeat: the offset tells them apart
        for replacement in (0x00, 0xD8, 0xD9, rng.choice([0xC3, 0xCF, 0xF7, 0xBE])):
            yield f"marker-{name}-as-{replacement:02X}", jpeg[:offset + 1] + bytes([replacement]) + jpeg[offset + 2:]
        for wrong in (0, 1, 0xFFFF):
            yield f"marker-{name}-length-{wrong}", jpeg[:offset + 2] + struct.pack(">H", wrong) + jpeg[offset + 4:]
    sof = next(offset for offset, marker in segments if marker in (0xC0, 0xC2))
    # SOF: length(2) precision(1) height(2) width(2) components(1).
    for label, patch_at, patch in (("precision-12", 4, b"\x0c"), ("precision-0", 4, b"\x00"),
                                   ("height-0", 5, b"\x00\x00"), ("width-0", 7, b"\x00\x00"),
                                   ("components-0", 9, b"\x00"), ("components-4", 9, b"\x04"),
                                   ("huge-dimensions", 5, b"\xff\xdc\xff\xdc")):
        yield f"SOF-{label}", jpeg[:sof + patch_at] + patch + jpeg[sof + patch_at + len(patch):]
    sos = segments[-1][0]
    yield "scan-replaced-by-zeros", jpeg[:sos + 20] + b"\x00" * (len(jpeg) - sos - 22) + b"\xff\xd9"
    yield "scan-replaced-by-markers", jpeg[:sos + 20] + b"\xff\xd0" * ((len(jpeg) - sos - 22) // 2) + b"\xff\xd9"
    yield "no-end-marker", jpeg[:-2]
    yield "headers-only", jpeg[:sos]
    yield "two-images-glued", jpeg + jpeg
    yield "trailing-garbage", jpeg + rng.randbytes(4096)


# --- WebP ------------------------------------------------------------------------------------------------------------

def _webp_corruptions(webp: bytes) -> Iterator[tuple[str, bytes]]:
    riff_size = len(webp) - 8
    for label, wrong in (("zero", 0), ("tiny", 4), ("short", riff_size - 10), ("long", riff_size + 10),
                         ("huge", 0xFFFFFFFF)):
        yield f"RIFF-size-{label}", webp[:4] + struct.pack("<I", wrong) + webp[8:]
    yield "WEBP-tag-garbled", webp[:8] + b"WEBQ" + webp[12:]
    chunk_size = struct.unpack("<I", webp[16:20])[0]
    for label, wrong in (("zero", 0), ("short", chunk_size - 7), ("long", chunk_size + 7), ("huge", 0xFFFFFFF0)):
        yield f"chunk-size-{label}", webp[:16] + struct.pack("<I", wrong) + webp[20:]
    yield "chunk-type-garbled", webp[:12] + b"VP8Q" + webp[16:]
    yield "frame-header-zeroed", webp[:20] + b"\x00" * 16 + webp[36:]


# --- GIF -------------------------------------------------------------------------------------------------------------

def _gif_corruptions(gif: bytes) -> Iterator[tuple[str, bytes]]:
    yield "screen-0x0", gif[:6] + struct.pack("<HH", 0, 0) + gif[10:]
    yield "screen-huge", gif[:6] + struct.pack("<HH", 0xFFFF, 0xFFFF) + gif[10:]
    descriptor = gif.index(b"\x2c", 13 + 3 * 256 if gif[10] & 0x80 else 13)
    yield "frame-beyond-screen", gif[:descriptor + 1] + struct.pack("<HHHH", 60000, 60000, 500, 500) + gif[
        descriptor + 9:]
    yield "frame-0x0", gif[:descriptor + 5] + struct.pack("<HH", 0, 0) + gif[descriptor + 9:]
    flags = descriptor + 9
    for label, code_size in (("lzw-size-0", 0), ("lzw-size-12", 12), ("lzw-size-255", 255)):
        yield label, gif[:flags + 1] + bytes([code_size]) + gif[flags + 2:]
    yield "no-trailer", gif[:-1]
    yield "no-image", gif[:descriptor] + b"\x3b"


# --- Crafted files ---------------------------------------------------------------------------------------------------

def _crafted(face: Image.Image, png: bytes, jpeg: bytes) -> Iterator[Case]:
    def case(name: str, data: bytes, content_type: str = "image/png") -> Case:
        return Case(f"crafted/{name}", data, content_type)

    # Nothing, or nearly nothing.
    yield case("empty", b"")
    yield case("one-byte", b"\x89")
    yield case("png-signature-only", PNG_SIGNATURE)
    yield case("jpeg-soi-only", b"\xff\xd8", "image/jpeg")
    yield case("jpeg-soi-eoi", b"\xff\xd8\xff\xd9", "image/jpeg")
    yield case("riff-webp-only", b"RIFF\x04\x00\x00\x00WEBP", "image/webp")
    yield case("gif-signature-only", b"GIF89a", "image/gif")
    yield case("text-posing-as-png", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    # Dimensions that lie: far too many pixels, or none at all.
    yield case("png-30000x30000-header", png_file(30_000, 30_000))
    yield case("png-65535x65535-1-bit", png_file(65_535, 65_535, bit_depth=1, colour_type=0))
    yield case("png-2147483647-wide", png_file(0x7FFFFFFF, 1))
    yield case("png-width-over-2-31", png_file(0x80000000, 16))
    yield case("png-0x0", png_file(0, 0))
    yield case("png-0x160", png_file(0, FACE_SIDE))
    yield case("png-1x1", _encode(Image.new("RGB", (1, 1)), "PNG"))
    yield case("png-7x160", _encode(face.resize((7, FACE_SIDE)), "PNG"))
    yield case("gif-65535x65535", _gif_header(0xFFFF, 0xFFFF), "image/gif")
    yield case("gif-0x0", _gif_header(0, 0), "image/gif")
    yield case("webp-vp8x-16384x16384-canvas", _webp_vp8x(16_384, 16_384), "image/webp")
    yield case("webp-vp8l-16384x16384", _webp_vp8l_header(16_384, 16_384), "image/webp")
    # Valid, but awkward to read: each must still be answered, and the face found where there is one.
    yield case("png-bad-crc-everywhere", _recrc(png, lambda crc: crc ^ 0x5A5A5A5A))
    yield case("png-rgba", _encode(face.convert("RGBA"), "PNG"))
    yield case("png-la", _encode(face.convert("LA"), "PNG"))
    yield case("png-palette-transparent", _encode(face.convert("P"), "PNG", transparency=0))
    yield case("png-1-bit", _encode(face.convert("1"), "PNG"))
    yield case("png-16-bit-grey", _encode(Image.fromarray(np.asarray(face.convert("L"), dtype="<u2") * 257), "PNG"))
    yield case("png-16-bit-rgb", _png_16_bit_rgb(face))
    yield case("png-16-bit-rgba", _png_16_bit_rgb(face, alpha=True))
    yield case("jpeg-cmyk", _encode(face.convert("CMYK"), "JPEG"), "image/jpeg")
    yield case("jpeg-grey", _encode(face.convert("L"), "JPEG"), "image/jpeg")
    yield case("jpeg-icc-garbage", _encode(face, "JPEG", icc_profile=random.Random(2).randbytes(600)), "image/jpeg")
    for orientation in (0, 5, 8, 9, 0xFFFF):
        exif = Image.Exif()
        exif[0x0112] = orientation
        yield case(f"jpeg-exif-orientation-{orientation}", _encode(face, "JPEG", exif=exif.tobytes()), "image/jpeg")
    yield case("jpeg-exif-garbage", _with_app1(jpeg, b"Exif\x00\x00" + random.Random(3).randbytes(200)),
               "image/jpeg")
    yield case("jpeg-exif-bad-ifd-offset", _with_app1(jpeg, b"Exif\x00\x00MM\x00\x2a\x7f\xff\xff\xff"),
               "image/jpeg")
    yield case("jpeg-exif-ifd-loop", _with_app1(jpeg, b"Exif\x00\x00II\x2a\x00\x08\x00\x00\x00" + struct.pack(
        "<H", 1) + struct.pack("<HHII", 0x8769, 4, 1, 8) + struct.pack("<I", 8)), "image/jpeg")
    yield case("gif-animated", _animation(face, "GIF"), "image/gif")
    yield case("webp-animated", _animation(face, "WEBP"), "image/webp")
    yield case("webp-alpha", _encode(face.convert("RGBA"), "WEBP"), "image/webp")
    yield case("png-labelled-jpeg", png, "image/jpeg")
    yield case("jpeg-labelled-webp", jpeg, "image/webp")
    # Extreme shapes within the pixel limit: a face pipeline that scales them down can reach a zero-sized side.
    yield case("png-8x20000", _encode(Image.new("RGB", (8, 20_000), (90, 60, 40)), "PNG"))
    yield case("png-20000x8", _encode(Image.new("RGB", (20_000, 8), (90, 60, 40)), "PNG"))
    yield case("png-9x1000", _encode(face.resize((9, 1000)), "PNG"))
    # Formats that Pillow reads but the API does not accept.
    yield case("tiff", _encode(face, "TIFF"))
    yield case("bmp", _encode(face, "BMP"))
    yield case("ico", _encode(face, "ICO"), "image/x-icon")


def _recrc(png: bytes, change: Callable[[int], int]) -> bytes:
    """The PNG with every chunk's CRC replaced by change(CRC)."""
    out = bytearray(png)
    for offset, _ in _png_chunks(png):
        (length,) = struct.unpack(">I", png[offset:offset + 4])
        end = offset + 8 + length
        (crc,) = struct.unpack(">I", png[end:end + 4])
        out[end:end + 4] = struct.pack(">I", change(crc) & 0xFFFFFFFF)
    return bytes(out)


def _png_16_bit_rgb(face: Image.Image, *, alpha: bool = False) -> bytes:
    """Pillow cannot write 16-bit colour PNGs: build one by hand from the face's pixels."""
    pixels = np.asarray(face.convert("RGBA" if alpha else "RGB"), dtype=">u2") * 257
    rows = b"".join(b"\x00" + row.tobytes() for row in pixels)
    return png_file(face.width, face.height, bit_depth=16, colour_type=6 if alpha else 2, raw=rows)


def _with_app1(jpeg: bytes, payload: bytes) -> bytes:
    """The JPEG with an APP1 segment inserted right after its start-of-image marker."""
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def _gif_header(width: int, height: int) -> bytes:
    """A GIF whose screen and only frame declare width x height, with one byte of image data."""
    palette = b"\x00\x00\x00\xff\xff\xff"
    descriptor = b"\x2c" + struct.pack("<HHHH", 0, 0, width, height) + b"\x00"
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0)
    return b"GIF89a" + screen + palette + descriptor + b"\x02\x02\x44\x01\x00;"


def _webp_vp8x(width: int, height: int) -> bytes:
    """An extended WebP whose canvas is width x height and whose only image chunk is missing."""
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (
        height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x


def _webp_vp8l_header(width: int, height: int) -> bytes:
    """A lossless WebP that declares width x height and carries no pixels."""
    bits = (width - 1) | ((height - 1) << 14)
    body = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 8
    chunk = b"VP8L" + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def _animation(face: Image.Image, image_format: str) -> bytes:
    frames = [face, face.transpose(Image.Transpose.FLIP_LEFT_RIGHT), face.rotate(90)]
    return _encode(frames[0], image_format, save_all=True, append_images=frames[1:], duration=80, loop=0)
