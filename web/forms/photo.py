"""Photos to the catalogue's photo rule (``photo:`` of the photo field; engine.spec.PhotoRule).

The rule is stated once, in the YAML (national: seed 003's 2.5 cm × 3.1 cm at 200 dpi, JPG, so
197×244 px, under 60 KB); this module makes pictures to it and checks that a stored value is one.

Any picture a person has (phone photo, scan, PNG with transparency, sideways EXIF) becomes a
standard photo: turned upright, cropped to the rule's shape (biased towards the top, where the
face is in a portrait), resized to the rule's pixels and saved as a JPG whose quality is lowered
step by step until it is within the size limit. The result is stored as a
``data:image/jpeg;base64,…`` value of the photo field.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from engine.spec import PhotoRule

MAX_UPLOAD = 15 * 1024 * 1024  # refuse bigger uploads before decoding
DATA_PREFIX = "data:image/jpeg;base64,"


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


def process(data: bytes, rule: PhotoRule) -> Photo:
    """Crop, resize and compress an uploaded picture to the photo rule."""
    if len(data) > MAX_UPLOAD:
        raise PhotoError("文件太大（超过 15MB），请选择一张普通照片", "The file is over 15 MB; choose an ordinary photo")
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):  # bombs: Pillow's own limit
        raise PhotoError("无法识别的图片，请上传 JPG 或 PNG 照片", "Not a picture we can read; upload a JPG or PNG photo") from None
    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "P"):
        rgba = img.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.split()[-1])
        img = white
    else:
        img = img.convert("RGB")
    size = rule.pixels
    if img.width < size[0] // 2 or img.height < size[1] // 2:
        raise PhotoError(f"照片太小（{img.width}×{img.height} 像素），至少需要约 {size[0]}×{size[1]} 像素",
                         f"The photo is too small ({img.width}×{img.height} px); about {size[0]}×{size[1]} px are needed")
    # crop to the rule's shape; for a tall picture keep the upper part (the face), for a wide one the centre
    target = size[0] / size[1]
    if img.width / img.height > target:
        w = round(img.height * target)
        left = (img.width - w) // 2
        img = img.crop((left, 0, left + w, img.height))
    else:
        h = round(img.width / target)
        top = min((img.height - h) // 4, img.height - h)
        img = img.crop((0, top, img.width, top + h))
    img = img.resize(size, Image.Resampling.LANCZOS)
    for quality in (92, 85, 78, 70, 62, 55, 48, 40, 32, 25):
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality, optimize=True, dpi=(rule.dpi, rule.dpi))
        if buf.tell() <= rule.max_kb * 1024:
            return Photo(buf.getvalue(), size[0], size[1], rule.dpi)
    raise PhotoError(f"照片无法压缩到 {rule.max_kb}KB 以内，请换一张背景简单的照片",  # pragma: no cover - needs noise images
                     f"The photo cannot be compressed to {rule.max_kb} KB; use one with a plain background")


def describe(data_url: str | None) -> Photo | None:
    """The stored photo (for showing its size), or None."""
    if not data_url or not data_url.startswith(DATA_PREFIX):
        return None
    try:
        jpeg = base64.b64decode(data_url[len(DATA_PREFIX):])
        img = Image.open(io.BytesIO(jpeg))
        dpi = int(round(img.info.get("dpi", (0, 0))[0]))
        if img.format != "JPEG":
            return None
        return Photo(jpeg, img.width, img.height, dpi)
    except Exception:  # noqa: BLE001 - a damaged stored value is shown as "no photo"
        return None


def conforms(data_url: str | None, rule: PhotoRule) -> bool:
    """Whether a value is a photo made to ``rule`` (a JPG of exactly its pixels, within its size)."""
    photo = describe(data_url)
    return photo is not None and (photo.width, photo.height) == rule.pixels and len(photo.jpeg) <= rule.max_kb * 1024
