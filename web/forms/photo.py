"""The national photo rule: 26 mm × 32 mm at ≥ 150 dpi, JPG, under 60 KB (seed 003, S1 tip).

Any picture a person has (phone photo, scan, PNG with transparency, sideways EXIF) becomes a
standard photo: turned upright, centre-cropped to the 26:32 shape (biased towards the top,
where the face is in a portrait), resized to 154×189 px (26 mm and 32 mm at 150 dpi, rounded
up) or, when the source is large enough, to the 200-dpi size seed 003's schools use (205×252),
and saved as a JPG whose quality is lowered step by step until it is under the size limit.
The result is stored as a ``data:image/jpeg;base64,…`` value of the photo field.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

WIDTH_MM, HEIGHT_MM = 26, 32
MIN_DPI, GOOD_DPI = 150, 200
MAX_BYTES = 60 * 1024
MAX_UPLOAD = 15 * 1024 * 1024  # refuse bigger uploads before decoding
DATA_PREFIX = "data:image/jpeg;base64,"


def px(mm: float, dpi: int) -> int:
    return math.ceil(mm / 25.4 * dpi)


@dataclass(frozen=True)
class Photo:
    jpeg: bytes
    width: int
    height: int
    dpi: int

    @property
    def data_url(self) -> str:
        return DATA_PREFIX + base64.b64encode(self.jpeg).decode()

    @property
    def kb(self) -> int:
        return math.ceil(len(self.jpeg) / 1024)


class PhotoError(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh)
        self.zh, self.en = zh, en

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def process(data: bytes) -> Photo:
    """Crop, resize and compress an uploaded picture to the national photo rule."""
    if len(data) > MAX_UPLOAD:
        raise PhotoError("文件太大（超过 15MB），请选择一张普通照片", "The file is over 15 MB; choose an ordinary photo")
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError):
        raise PhotoError("无法识别的图片，请上传 JPG 或 PNG 照片", "Not a picture we can read; upload a JPG or PNG photo") from None
    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "P"):
        rgba = img.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.split()[-1])
        img = white
    else:
        img = img.convert("RGB")
    min_w, min_h = px(WIDTH_MM, MIN_DPI), px(HEIGHT_MM, MIN_DPI)
    if img.width < min_w // 2 or img.height < min_h // 2:
        raise PhotoError(f"照片太小（{img.width}×{img.height} 像素），至少需要约 {min_w}×{min_h} 像素",
                         f"The photo is too small ({img.width}×{img.height} px); about {min_w}×{min_h} px are needed")
    # crop to the 26:32 shape; for a tall picture keep the upper part (the face), for a wide one the centre
    target = WIDTH_MM / HEIGHT_MM
    if img.width / img.height > target:
        w = round(img.height * target)
        left = (img.width - w) // 2
        img = img.crop((left, 0, left + w, img.height))
    else:
        h = round(img.width / target)
        top = min((img.height - h) // 4, img.height - h)
        img = img.crop((0, top, img.width, top + h))
    dpi = GOOD_DPI if img.width >= px(WIDTH_MM, GOOD_DPI) else MIN_DPI
    size = (px(WIDTH_MM, dpi), px(HEIGHT_MM, dpi))
    img = img.resize(size, Image.Resampling.LANCZOS)
    for quality in (92, 85, 78, 70, 62, 55, 48, 40, 32, 25):
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality, optimize=True, dpi=(dpi, dpi))
        if buf.tell() < MAX_BYTES:
            return Photo(buf.getvalue(), size[0], size[1], dpi)
    raise PhotoError("照片无法压缩到 60KB 以下，请换一张背景简单的照片",  # pragma: no cover - needs noise images
                     "The photo cannot be compressed under 60 KB; use one with a plain background")


def describe(data_url: str | None) -> Photo | None:
    """The stored photo (for showing its size), or None."""
    if not data_url or not data_url.startswith(DATA_PREFIX):
        return None
    try:
        jpeg = base64.b64decode(data_url[len(DATA_PREFIX):])
        img = Image.open(io.BytesIO(jpeg))
        dpi = int(round(img.info.get("dpi", (MIN_DPI, MIN_DPI))[0]))
        return Photo(jpeg, img.width, img.height, dpi)
    except Exception:  # noqa: BLE001 - a damaged stored value is shown as "no photo"
        return None
