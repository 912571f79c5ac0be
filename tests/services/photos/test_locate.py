"""Finding the product picture inside app frames that are not flat: an Instagram story over a
blurred copy of the photo and a chat bubble with a caption under the picture give the photo's
own rectangle; a plain shoe photo (its outline, its sole) proposes nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ottenok_desktop.services.photos.fingerprint import candidate_boxes
from ottenok_desktop.services.photos.locate import framed_boxes

SHOP = Path(__file__).resolve().parents[3] / "data" / "photos"


def shop_photo(product: str, name: str) -> Image.Image:
    return Image.open(SHOP / product / name).convert("RGB")


def near(box: tuple[int, int, int, int], expected: tuple[int, int, int, int], slack: int) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(box, expected))


def story(photo: Image.Image, y: int) -> Image.Image:
    canvas = photo.resize((270, 480)).filter(ImageFilter.GaussianBlur(15))
    picture = photo.resize((270, 270))
    canvas.paste(picture, (0, y))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((5, 6, 265, 8), fill=(255, 255, 255))
    draw.rounded_rectangle((6, 440, 220, 468), 12, outline=(255, 255, 255), width=2)
    return canvas


def chat_bubble(photo: Image.Image) -> Image.Image:
    canvas = Image.new("RGB", (300, 420), (200, 216, 190))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, 300, 50), fill=(82, 126, 164))
    draw.rounded_rectangle((18, 78, 262, 360), 14, fill=(255, 255, 255))
    canvas.paste(photo.resize((240, 240)), (20, 80))
    draw.text((30, 330), "Вот эти, 38 есть?", fill=(0, 0, 0))
    return canvas


def test_the_photo_inside_a_story_over_its_blurred_copy_is_proposed() -> None:
    shot = story(shop_photo("Лоферы Chanel", "черный_1.jpg"), 110)
    boxes = candidate_boxes(shot)
    assert any(near(box, (0, 110, 270, 380), 6) for box in boxes), boxes


def test_the_photo_inside_a_chat_bubble_with_a_caption_is_proposed() -> None:
    shot = chat_bubble(shop_photo("Лоферы Gucci Jordaan", "черный_1.jpg"))
    boxes = candidate_boxes(shot)
    assert any(near(box, (20, 80, 260, 320), 6) for box in boxes), boxes


def test_a_plain_shoe_photo_and_a_flat_picture_propose_no_rectangle() -> None:
    for product, name in (("Лоферы Chanel", "бежевый_1.jpg"), ("Лоферы Gucci Jordaan", "черный_1.jpg")):
        photo = shop_photo(product, name).resize((200, 200))
        assert framed_boxes(np.asarray(photo, dtype=np.int16)) == [], product  # a sole, an outline: no frame
    assert framed_boxes(np.full((120, 80, 3), 200, dtype=np.int16)) == []
