"""The second look's colour evidence: the product's own colours, a phone's look forgiven.

A shop photo is compared with (a) the same photo after a phone's brightness, contrast and
saturation change, (b) the same shape and backdrop with the product in another colour (a
lookalike the shop does not sell), (c) the same photo under a sticker over one corner."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageEnhance

from ottenok_desktop.services.photos.fingerprint import Integral
from ottenok_desktop.services.photos.matching import COLOUR_AGREES
from ottenok_desktop.services.photos.verify import Probe, agreement

SHAPE = [(70, 330), (110, 250), (260, 230), (400, 260), (450, 330), (440, 370), (80, 372)]


def loafer(colour: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (512, 512), (244, 240, 234))
    draw = ImageDraw.Draw(image)
    for y in range(512):  # a studio backdrop, lighter at the top
        shade = 244 - y // 12
        draw.line((0, y, 511, y), fill=(shade, shade - 4, shade - 10))
    draw.ellipse((90, 360, 450, 392), fill=(200, 196, 190))  # the floor shadow
    draw.polygon(SHAPE, fill=colour)
    draw.line((200, 262, 300, 262), fill=tuple(min(255, c + 60) for c in colour), width=6)  # a detail
    return image


def compare(customer: Image.Image, shop: Image.Image) -> tuple[float, float]:
    probe = Probe.of(Integral(customer), (0.0, 0.0, float(customer.width), float(customer.height)))
    found = agreement(probe, Integral(shop), (0.0, 0.0, 1.0, 1.0))
    return found.structure, found.colour


def test_a_phone_filter_keeps_the_colours_agreeing_and_another_colour_does_not() -> None:
    shop = loafer((120, 72, 40))  # brown
    filtered = shop
    for enhancer, factor in ((ImageEnhance.Brightness, 0.87), (ImageEnhance.Contrast, 1.14), (ImageEnhance.Color, 0.86)):
        filtered = enhancer(filtered).enhance(factor)
    structure, colour = compare(filtered, shop)
    assert structure > 0.9 and colour <= COLOUR_AGREES / 2
    structure, colour = compare(loafer((128, 30, 52)), shop)  # burgundy: the same shape, another product
    assert structure > 0.9  # the shape alone cannot tell them apart …
    assert colour > COLOUR_AGREES * 1.5  # … the product's own colours do


def test_a_sticker_over_a_corner_is_left_out_of_the_colour_comparison() -> None:
    shop = loafer((30, 30, 34))
    covered = shop.copy()
    ImageDraw.Draw(covered).ellipse((10, 10, 110, 110), fill=(255, 204, 51))
    assert compare(covered, shop)[1] <= COLOUR_AGREES / 2
