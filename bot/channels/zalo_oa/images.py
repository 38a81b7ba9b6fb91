"""Photos for a Zalo OA: Zalo takes JPEG or PNG images of at most 1 MB for an upload, so a
larger photo is re-compressed (Pillow) before it goes: JPEG at falling quality, then smaller
by a quarter at a time, until it fits. A file that is not an image, or cannot be made to
fit, gives None (the message goes without it, noted)."""

from __future__ import annotations

import io
import warnings

from PIL import Image

QUALITIES = (85, 75, 65)
SHRINK = 0.75
MAX_ROUNDS = 8
MAX_PIXELS = 60_000_000  # refuse a decompression bomb rather than decode it


def fit_image(data: bytes, limit: int) -> bytes | None:
    """`data` itself when it fits, else a JPEG of at most `limit` bytes; None if impossible."""
    if len(data) <= limit:
        return data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    return None
                image = _flat(opened)
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    for _ in range(MAX_ROUNDS):
        for quality in QUALITIES:
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True)
            if out.tell() <= limit:
                return out.getvalue()
        size = (max(1, int(image.width * SHRINK)), max(1, int(image.height * SHRINK)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return None


def _flat(image: Image.Image) -> Image.Image:
    """RGB, a transparent background made white (JPEG has no alpha)."""
    image.load()
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")
