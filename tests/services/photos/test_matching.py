"""Offline picture matching over a real photo folder: a screenshot of a shop photo (cropped,
framed by a status bar, recompressed) finds its product and colour, unrelated pictures find
nothing, new photos are picked up, unreadable bytes are a clear error."""

from __future__ import annotations

import io
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageEnhance

from ottenok_desktop.engine.media import MatchConfidence, MediaError
from ottenok_desktop.services.photos.local import LocalPhotoSource
from ottenok_desktop.services.photos.matching import PhotoMatcher

COLORS = {"черный": (25, 25, 28), "бежевый": (214, 190, 160), "красный": (190, 30, 40)}


def product_photo(seed: int, color: str) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", (500, 500), (236, 234, 230))
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x, y = rng.randint(0, 400), rng.randint(0, 400)
        draw.rectangle((x, y, x + rng.randint(40, 140), y + rng.randint(40, 140)),
                       fill=tuple(rng.randint(120, 220) for _ in range(3)))
    draw.polygon([(rng.randint(60, 440), rng.randint(120, 420)) for _ in range(7)], fill=COLORS[color])
    return image


def screenshot(photo: Image.Image) -> bytes:
    crop = photo.crop((40, 30, 460, 440)).resize((520, 508))
    canvas = Image.new("RGB", (540, 820), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, 540, 44), fill=(0, 0, 0))
    draw.text((16, 14), "14:32", fill=(255, 255, 255))
    draw.text((60, 70), "ottenok.almaty", fill=(0, 0, 0))
    canvas.paste(crop, (10, 110))
    draw.text((14, 650), "Нравится: 1 245", fill=(0, 0, 0))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for index, (product, colors) in enumerate({"Лоферы Chanel": ["черный", "бежевый"],
                                               "Кроссовки Nike Air Force 1": ["черный"]}.items()):
        (tmp_path / product).mkdir()
        for color in colors:
            product_photo(index * 10 + 1, color).save(tmp_path / product / f"{color}_1.jpg", quality=92)
    return tmp_path


async def test_screenshot_finds_product_and_colour_and_unrelated_finds_nothing(folder: Path) -> None:
    with ThreadPoolExecutor(2) as executor:
        matcher = PhotoMatcher(LocalPhotoSource(folder, executor), executor)
        found = await matcher.match(screenshot(Image.open(folder / "Лоферы Chanel" / "бежевый_1.jpg")))
        assert (found.product, found.color, found.confidence) == ("Лоферы Chanel", "бежевый",
                                                                  MatchConfidence.CONFIDENT)
        noise = Image.effect_noise((400, 300), 60).convert("RGB")
        buffer = io.BytesIO()
        noise.save(buffer, "JPEG")
        assert (await matcher.match(buffer.getvalue())).confidence == MatchConfidence.NONE


async def test_a_photo_added_later_is_matched_after_refresh(folder: Path) -> None:
    with ThreadPoolExecutor(2) as executor:
        matcher = PhotoMatcher(LocalPhotoSource(folder, executor, max_age=0), executor, max_age=0)
        assert await matcher.refresh() == 3
        (folder / "Туфли Saint Laurent Opyum").mkdir()
        new = folder / "Туфли Saint Laurent Opyum" / "красный_1.jpg"
        product_photo(77, "красный").save(new)
        found = await matcher.match(new.read_bytes())  # the shop's own photo, forwarded back
        assert (found.product, found.confidence) == ("Туфли Saint Laurent Opyum", MatchConfidence.CONFIDENT)


async def test_unreadable_picture_is_a_media_error(folder: Path) -> None:
    with ThreadPoolExecutor(2) as executor:
        matcher = PhotoMatcher(LocalPhotoSource(folder, executor), executor)
        with pytest.raises(MediaError, match="cannot be read"):
            await matcher.match(b"<html>not a picture</html>")


def phone_look(photo: Image.Image) -> Image.Image:
    """The customer's phone made the picture brighter, flatter and more saturated (within ±15 %)."""
    for enhancer, factor in ((ImageEnhance.Brightness, 1.12), (ImageEnhance.Contrast, 0.88), (ImageEnhance.Color, 1.13)):
        photo = enhancer(photo).enhance(factor)
    return photo


async def test_the_shops_shape_in_a_colour_it_does_not_sell_is_not_named_but_a_phone_filter_is_forgiven(
        folder: Path) -> None:
    with ThreadPoolExecutor(2) as executor:
        matcher = PhotoMatcher(LocalPhotoSource(folder, executor), executor)
        # a lookalike: the Chanel loafers' very shape and backdrop, but red (the shop has black and beige)
        lookalike = await matcher.match(screenshot(product_photo(1, "красный")))
        assert (lookalike.product, lookalike.confidence) == ("", MatchConfidence.NONE)
        beige = Image.open(folder / "Лоферы Chanel" / "бежевый_1.jpg")
        found = await matcher.match(screenshot(phone_look(beige)))
        assert (found.product, found.color) == ("Лоферы Chanel", "бежевый")
        assert found.confidence in (MatchConfidence.CONFIDENT, MatchConfidence.UNSURE)
