"""Catalog-style product pictures for the sample shop (Pillow only, deterministic).

Each product has a `Spec`: its category's shape (loafer, sneaker, pump, boot, sandal, mule,
ballet flat, bag, clutch, wallet, belt, scarf, sunglasses, headband) with its own
proportions and details (toe, heel, sole, horsebit, bow, laces, logo, quilting, chain,
stitching, wordmark). A picture is drawn at twice its size and reduced (anti-aliasing):
a studio background with a soft floor shadow, the product in its colour with shading and
a leather/suede/nylon texture, then the details. Every colour of a product shares the
shape; the second photo of a colour is another shot (mirrored, closer, another backdrop).

Same inputs → same pixels (all randomness is seeded by the product's index).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Callable

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

SIDE = 640  # the saved picture is SIDE × SIDE
SS = 2  # drawn at SS × SIDE, then reduced
W = SIDE * SS
GOLD, SILVER = (205, 168, 72), (190, 192, 200)
Point = tuple[float, float]
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Spec:
    kind: str
    brand: str
    params: dict[str, object] = field(default_factory=dict)


def _p(**params: object) -> dict[str, object]:
    return params


SPECS: dict[str, Spec] = {
    "Лоферы Chanel": Spec("shoe", "CHANEL", _p(heel=0.04, collar=0.20, throat=0.52, vamp=0.26, toe="round",
                                              sole=0.035, sole_color="black", details=("cap_toe", "cc"))),
    "Лоферы Gucci Jordaan": Spec("shoe", "GUCCI", _p(heel=0.03, collar=0.18, throat=0.50, vamp=0.22, toe="almond",
                                                    sole=0.025, sole_color="tan", details=("horsebit", "welt"))),
    "Лоферы Loro Piana Summer Walk": Spec("shoe", "LORO PIANA", _p(
        heel=0.0, collar=0.21, throat=0.45, vamp=0.25, toe="round", sole=0.05, sole_color="white",
        details=("moc_seam", "charm"), texture="suede")),
    "Кроссовки Balenciaga Triple S": Spec("shoe", "BALENCIAGA", _p(
        heel=0.0, collar=0.36, throat=0.40, vamp=0.34, toe="round", sole=0.13, sole_color="layers",
        details=("laces", "panels", "side_text"))),
    "Кроссовки New Balance 530": Spec("shoe", "NEW BALANCE", _p(
        heel=0.0, collar=0.33, throat=0.42, vamp=0.30, toe="round", sole=0.075, sole_color="white_grey",
        details=("laces", "mesh", "n_logo"))),
    "Кроссовки Nike Air Force 1": Spec("shoe", "NIKE", _p(
        heel=0.0, collar=0.32, throat=0.44, vamp=0.29, toe="round", sole=0.065, sole_color="white",
        details=("laces", "swoosh", "perforation"))),
    "Кеды Golden Goose Superstar": Spec("shoe", "GOLDEN GOOSE", _p(
        heel=0.0, collar=0.30, throat=0.43, vamp=0.27, toe="round", sole=0.05, sole_color="dirty",
        details=("laces", "star", "heel_tab"))),
    "Туфли Saint Laurent Opyum": Spec("shoe", "SAINT LAURENT", _p(
        heel=0.34, collar=0.15, throat=0.62, vamp=0.11, toe="point", sole=0.012, sole_color="black",
        heel_kind="ysl", details=())),
    "Туфли Christian Louboutin So Kate": Spec("shoe", "LOUBOUTIN", _p(
        heel=0.38, collar=0.13, throat=0.66, vamp=0.09, toe="point", sole=0.012, sole_color="red",
        heel_kind="stiletto", details=())),
    "Ботильоны Prada Monolith": Spec("shoe", "PRADA", _p(
        heel=0.08, collar=0.48, throat=0.40, vamp=0.27, toe="round", sole=0.08, sole_color="lug",
        heel_kind="block", details=("triangle", "pull_tab", "welt"))),
    "Сапоги Bottega Veneta Lug": Spec("shoe", "BOTTEGA VENETA", _p(
        heel=0.05, collar=0.92, throat=0.36, vamp=0.28, toe="square", sole=0.10, sole_color="lug",
        heel_kind="block", details=("shaft_seam",))),
    "Угги UGG Tasman": Spec("shoe", "UGG", _p(
        heel=0.0, collar=0.22, throat=0.42, vamp=0.26, toe="round", sole=0.06, sole_color="ugg",
        details=("braid", "fleece", "heel_label"), texture="suede")),
    "Балетки Miu Miu": Spec("shoe", "MIU MIU", _p(
        heel=0.0, collar=0.12, throat=0.58, vamp=0.13, toe="round", sole=0.02, sole_color="tan",
        details=("bow", "elastic"))),
    "Мюли Dior Dway": Spec("mule", "CHRISTIAN DIOR", _p(heel=0.05, band=0.34, text=True)),
    "Босоножки Jimmy Choo Bing": Spec("sandal", "JIMMY CHOO", _p(heel=0.33, straps=1, crystals=True)),
    "Сандалии Hermès Oran": Spec("oran", "HERMÈS", _p()),
    "Сумка Prada Re-Edition 2005": Spec("bag", "PRADA", _p(body="hobo", strap="shoulder", hardware=SILVER,
                                                          texture="nylon", logo="triangle")),
    "Сумка Chanel 2.55": Spec("bag", "CHANEL", _p(body="flap", strap="chain", hardware=GOLD, quilt=True,
                                                 logo="lock")),
    "Клатч Bottega Veneta Pouch": Spec("bag", "BOTTEGA VENETA", _p(body="pouch", strap="none", hardware=GOLD,
                                                                  logo="none")),
    "Сумка Dior Book Tote": Spec("bag", "CHRISTIAN DIOR", _p(body="tote", strap="handles", hardware=GOLD,
                                                            logo="embroidery", texture="canvas")),
    "Рюкзак Prada Re-Nylon": Spec("bag", "PRADA", _p(body="backpack", strap="top", hardware=SILVER,
                                                    texture="nylon", logo="triangle")),
    "Кошелек Louis Vuitton Zippy": Spec("bag", "LOUIS VUITTON", _p(body="wallet", strap="zip", hardware=GOLD,
                                                                  logo="monogram")),
    "Ремень Hermès H": Spec("belt", "HERMÈS", _p(buckle="H", hardware=GOLD)),
    "Ремень Gucci GG": Spec("belt", "GUCCI", _p(buckle="GG", hardware=GOLD)),
    "Платок Hermès Carré": Spec("scarf", "HERMÈS", _p()),
    "Очки Celine Triomphe": Spec("glasses", "CELINE", _p()),
    "Ободок Miu Miu": Spec("headband", "MIU MIU", _p()),
}

BACKDROPS: list[tuple[RGB, RGB]] = [
    ((246, 244, 240), (214, 208, 200)), ((238, 241, 245), (196, 203, 212)), ((249, 240, 234), (222, 200, 188)),
    ((240, 240, 238), (178, 178, 174)), ((236, 232, 222), (204, 192, 170)), ((244, 236, 240), (214, 196, 206)),
]


# ---- small drawing helpers ---------------------------------------------------------------------
def shade(color: RGB, delta: int) -> RGB:
    return tuple(max(0, min(255, c + delta)) for c in color)  # type: ignore[return-value]


def contrast(color: RGB, amount: int = 70) -> RGB:
    """A detail colour visible on the product: lighter on a dark colour, darker on a light one."""
    return shade(color, amount if sum(color) < 330 else -amount)


def bezier(p0: Point, p1: Point, p2: Point, p3: Point, n: int = 24) -> list[Point]:
    out = []
    for i in range(n + 1):
        t = i / n
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3
        out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def backdrop(index: int, variant: int) -> Image.Image:
    top, bottom = BACKDROPS[(index * 5 + variant * 2) % len(BACKDROPS)]
    ramp = Image.linear_gradient("L").resize((W, W))
    return Image.composite(Image.new("RGB", (W, W), bottom), Image.new("RGB", (W, W), top), ramp)


def texture(size: tuple[int, int], kind: str, seed: int) -> Image.Image:
    """A grey texture around 128 to modulate a colour: leather grain, suede, nylon twill, canvas."""
    width, height = size
    if kind == "nylon":
        img = Image.new("L", size, 128)
        draw = ImageDraw.Draw(img)
        for x in range(-height, width, 6):
            draw.line((x, 0, x + height, height), fill=140, width=2)
        return img
    if kind == "canvas":
        img = Image.new("L", size, 128)
        draw = ImageDraw.Draw(img)
        for y in range(0, height, 8):
            draw.line((0, y, width, y), fill=116, width=2)
        for x in range(0, width, 8):
            draw.line((x, 0, x, height), fill=138, width=1)
        return img
    # Pillow's noise is not seeded: a grain from a seeded generator keeps the pictures reproducible
    rng = random.Random(seed)
    cells = (max(1, width // 8), max(1, height // 8))
    spread = 9 if kind == "suede" else 5
    small = Image.frombytes("L", cells, bytes(128 + rng.randint(-spread, spread) for _ in range(cells[0] * cells[1])))
    return small.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(4 if kind == "suede" else 2))


def fill_shape(canvas: Image.Image, points: list[Point], color: RGB, *, kind: str = "leather", seed: int = 0,
               gloss: bool = False, light: int = 34, dark: int = -46) -> Image.Image:
    """The polygon filled with the colour, shaded top-light/bottom-dark and textured; returns its mask."""
    mask = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(mask).polygon(points, fill=255)
    box = mask.getbbox()
    if box is None:
        return mask
    left, top, right, bottom = box
    size = (right - left, bottom - top)
    ramp = Image.linear_gradient("L").resize(size)
    layer = Image.composite(Image.new("RGB", size, shade(color, dark)), Image.new("RGB", size, shade(color, light)),
                            ramp)
    grain = texture(size, kind, seed).convert("RGB")
    layer = ImageChops.add(ImageChops.subtract(layer, Image.new("RGB", size, (10, 10, 10))),
                           ImageChops.subtract(grain, Image.new("RGB", size, (118, 118, 118))))
    if gloss:  # patent leather: a bright streak along the top
        streak = Image.new("L", size, 0)
        ImageDraw.Draw(streak).ellipse((size[0] * 0.15, size[1] * 0.08, size[0] * 0.85, size[1] * 0.22), fill=170)
        layer = Image.composite(Image.new("RGB", size, (235, 235, 240)), layer,
                                streak.filter(ImageFilter.GaussianBlur(12)))
    canvas.paste(layer, (left, top), mask.crop(box))
    return mask


def floor_shadow(canvas: Image.Image, box: tuple[float, float, float, float], strength: int = 90) -> None:
    shadow = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(shadow).ellipse(box, fill=strength)
    shadow = shadow.filter(ImageFilter.GaussianBlur(28))
    canvas.paste(Image.new("RGB", canvas.size, (40, 36, 32)), (0, 0), shadow)


def stitches(draw: ImageDraw.ImageDraw, points: list[Point], color: RGB, dash: int = 12) -> None:
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        length = math.hypot(x1 - x0, y1 - y0)
        for start in range(0, int(length), dash * 2):
            a, b = start / max(length, 1), min(1.0, (start + dash) / max(length, 1))
            draw.line((x0 + (x1 - x0) * a, y0 + (y1 - y0) * a, x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
                      fill=color, width=3)


Drawer = Callable[[Image.Image, Spec, RGB, random.Random], tuple[float, float, float, float]]


# ---- shoes in profile ---------------------------------------------------------------------------
def _smooth(a: float, b: float, x: float) -> float:
    t = max(0.0, min(1.0, (x - a) / (b - a)))
    return t * t * (3 - 2 * t)


class _Profile:
    """A shoe seen from the side: u runs heel (0) → toe (1), v is height, both in lengths."""

    def __init__(self, p: dict[str, object]) -> None:
        self.p = p
        self.heel = float(p.get("heel", 0.0))  # type: ignore[arg-type]
        self.t = float(p.get("sole", 0.03))  # type: ignore[arg-type]
        collar = float(p.get("collar", 0.2))  # type: ignore[arg-type]
        self.length = min(0.80 * W, 0.56 * W / (collar + self.heel + 0.12))
        self.x0 = (W - self.length) / 2 - 0.01 * W
        self.ground = 0.66 * W if collar < 0.5 else 0.86 * W

    def s(self, u: float) -> float:
        """Height of the upper's bottom edge (the top of the sole)."""
        spring = 0.02 * max(0.0, (u - 0.86) / 0.14) ** 2
        if self.heel >= 0.12:
            return self.t + self.heel * (1 - _smooth(0.22, 0.74, u)) + spring
        return self.t + self.heel * (1 - _smooth(0.2, 0.45, u)) + spring

    def xy(self, u: float, v: float) -> Point:
        return (self.x0 + u * self.length, self.ground - v * self.length)


def _shoe_outline(pr: _Profile) -> tuple[list[Point], list[tuple[float, float]]]:
    """The upper's polygon (pixels) and its top line as (u, v) pairs for placing details."""
    p = pr.p
    collar, throat, vamp = (float(p.get(k, d)) for k, d in (("collar", 0.2), ("throat", 0.5), ("vamp", 0.24)))  # type: ignore[arg-type]
    toe = str(p.get("toe", "round"))
    s0, st, s1 = pr.s(0.0), pr.s(throat), pr.s(1.0)
    toe_h, c1, c2 = {"round": (0.085, (0.25, 0.0), (1.0, 0.14)), "almond": (0.06, (0.30, -0.04), (0.985, 0.09)),
                     "point": (0.022, (0.18, -0.03), (0.88, 0.04)), "square": (0.095, (0.3, 0.0), (1.005, 0.13))}[toe]
    top: list[tuple[float, float]] = [(0.0, s0), (-0.02, s0 + collar * 0.55), (-0.012, s0 + collar)]
    if collar >= 0.4:  # a boot: the shaft's top, then its front down to the instep
        top += [(u, v) for u, v in bezier((-0.012, s0 + collar), (0.12, s0 + collar + 0.01), (0.26, s0 + collar),
                                            (0.34, s0 + collar - 0.01), 10)]
        top += bezier((0.34, s0 + collar - 0.01), (0.33, st + vamp + 0.2), (throat - 0.06, st + vamp + 0.03),
                      (throat, st + vamp), 14)
    else:
        top += bezier((-0.012, s0 + collar), (0.15, s0 + collar - 0.035), (throat - 0.16, st + vamp - 0.05),
                      (throat, st + vamp), 18)
    top += bezier((throat, st + vamp), (throat + c1[0], st + vamp + c1[1]), (c2[0], s1 + c2[1]), (1.0, s1 + toe_h), 22)
    front = bezier((1.0, s1 + toe_h), (1.025, s1 + toe_h * 0.6), (1.02, s1 + 0.005), (0.985, s1), 8)
    bottom = [(u / 40, pr.s(u / 40)) for u in range(39, -1, -1)]
    points = [pr.xy(u, v) for u, v in top + front + bottom]
    return points, top


def _top_v(top: list[tuple[float, float]], u: float) -> float:
    """The upper's top height at u (front part of the top line)."""
    forward = sorted((a, b) for a, b in top if a >= 0.0)
    for (ua, va), (ub, vb) in zip(forward, forward[1:]):
        if ua <= u <= ub and ub > ua:
            return va + (vb - va) * (u - ua) / (ub - ua)
    return forward[-1][1]


SOLE_COLORS: dict[str, RGB] = {"black": (30, 28, 28), "tan": (170, 120, 78), "white": (242, 240, 234),
                               "white_grey": (236, 236, 232), "red": (200, 20, 30), "lug": (24, 24, 24),
                               "dirty": (228, 222, 206), "ugg": (214, 190, 150), "layers": (240, 240, 236)}


def _sole(canvas: Image.Image, pr: _Profile, color: RGB) -> None:
    draw = ImageDraw.Draw(canvas)
    kind = str(pr.p.get("sole_color", "black"))
    base = SOLE_COLORS.get(kind, (30, 28, 28))
    edge = [(u / 40 * 1.02 - 0.01, pr.s(u / 40)) for u in range(41)]
    under = [(u, max(0.0, v - pr.t - (0.004 if pr.heel >= 0.12 else 0))) for u, v in reversed(edge)]
    if kind == "lug":  # a lug sole: teeth along the ground
        under = []
        for i in range(40, -1, -1):
            u = i / 40 * 1.02 - 0.01
            under.append((u, max(0.0, pr.s(u) - pr.t) + (0.0 if i % 4 < 2 else 0.025)))
    fill_shape(canvas, [pr.xy(u, v) for u, v in edge + under], base, seed=3, light=14, dark=-20)
    if kind in ("layers", "white_grey", "dirty"):  # midsole bands / a grey stripe / worn smudges
        colors = [shade(color, 40), (200, 200, 205), shade(color, -30)] if kind == "layers" else [(180, 180, 186)]
        for i, band in enumerate(colors):
            frac = (i + 1) / (len(colors) + 1)
            line = [pr.xy(u / 30 * 1.02 - 0.01, pr.s(u / 30) - pr.t * frac) for u in range(31)]
            draw.line(line, fill=band, width=int(pr.length * pr.t / (len(colors) + 2)))
        if kind == "dirty":
            rng = random.Random(11)
            for _ in range(40):
                u = rng.random()
                x, y = pr.xy(u, pr.s(u) - pr.t * rng.random())
                draw.ellipse((x - 6, y - 3, x + 6, y + 3), fill=(170, 160, 140))
    if kind == "red":  # the lacquered red sole shows under the arch
        draw.line([pr.xy(u / 30, pr.s(u / 30) - pr.t * 0.7) for u in range(4, 31)], fill=(200, 20, 30), width=18)


def _heel(canvas: Image.Image, pr: _Profile, color: RGB) -> None:
    kind = str(pr.p.get("heel_kind", "flat"))
    seat = pr.s(0.0) - pr.t * 0.5
    if kind == "stiletto":
        pts = [pr.xy(-0.005, seat), pr.xy(0.13, pr.s(0.13) - pr.t), pr.xy(0.085, 0.0), pr.xy(0.06, 0.0),
               pr.xy(0.06, seat * 0.5)]
        fill_shape(canvas, pts, shade(color, -10), seed=5)
        fill_shape(canvas, [pr.xy(0.058, 0.0), pr.xy(0.087, 0.0), pr.xy(0.087, 0.012), pr.xy(0.058, 0.012)],
                   (20, 20, 20))
    elif kind == "ysl":  # the sculpted logo heel in gold metal
        draw = ImageDraw.Draw(canvas)
        width = int(pr.length * 0.012)
        draw.line([pr.xy(0.07, 0.0), pr.xy(0.07, seat * 0.55)], fill=GOLD, width=width)
        draw.line([pr.xy(0.07, seat * 0.55), pr.xy(0.0, seat)], fill=GOLD, width=width)
        draw.line([pr.xy(0.07, seat * 0.55), pr.xy(0.14, pr.s(0.14))], fill=GOLD, width=width)
        cx, cy = pr.xy(0.07, seat * 0.3)
        r = pr.length * 0.035
        draw.arc((cx - r, cy - r * 2, cx + r, cy), 90, 300, fill=GOLD, width=width)
        draw.arc((cx - r, cy, cx + r, cy + r * 2), 270, 120, fill=GOLD, width=width)
    elif kind == "block":
        fill_shape(canvas, [pr.xy(-0.012, seat + pr.t), pr.xy(0.17, pr.s(0.17)), pr.xy(0.16, 0.0), pr.xy(0.0, 0.0)],
                   (28, 26, 26), seed=6, light=10, dark=-10)


def _shoe_details(canvas: Image.Image, pr: _Profile, top: list[tuple[float, float]], spec: Spec, color: RGB,
                  mask: Image.Image) -> None:
    draw = ImageDraw.Draw(canvas)
    detail = contrast(color)
    throat = float(pr.p.get("throat", 0.5))  # type: ignore[arg-type]
    L = pr.length
    for name in pr.p.get("details", ()):  # type: ignore[union-attr]
        if name == "cap_toe":
            cap = [(u, _top_v(top, u)) for u in (0.78, 0.84, 0.9, 0.95, 1.0)]
            cap_pts = [pr.xy(0.76, pr.s(0.76))] + [pr.xy(u, v) for u, v in cap] + [pr.xy(1.0, pr.s(1.0))]
            cap_color = (22, 22, 24) if sum(color) > 200 else (60, 60, 64)
            layer = Image.new("RGB", canvas.size)
            fill_shape(layer, cap_pts, cap_color, seed=8, gloss=True)
            cap_mask = Image.new("L", canvas.size, 0)
            ImageDraw.Draw(cap_mask).polygon(cap_pts, fill=255)
            canvas.paste(layer, (0, 0), ImageChops.multiply(cap_mask, mask))
        elif name == "cc":
            x, y = pr.xy(throat + 0.07, pr.s(throat) + 0.16)
            r = L * 0.028
            draw.arc((x - r * 1.6, y - r, x + r * 0.4, y + r), 40, 320, fill=GOLD, width=9)
            draw.arc((x - r * 0.4, y - r, x + r * 1.6, y + r), 220, 140, fill=GOLD, width=9)
        elif name == "horsebit":
            a, b = pr.xy(throat - 0.02, _top_v(top, throat - 0.02) - 0.025), pr.xy(throat + 0.11, _top_v(top, throat + 0.11) - 0.03)
            draw.line((a, b), fill=GOLD, width=14)
            for x, y in (a, b):
                draw.ellipse((x - 22, y - 22, x + 22, y + 22), outline=GOLD, width=10)
        elif name == "welt":
            stitches(draw, [pr.xy(u / 20, pr.s(u / 20) + 0.012) for u in range(1, 20)], contrast(color, 55))
        elif name == "moc_seam":
            seam = bezier((throat - 0.02, _top_v(top, throat - 0.02) - 0.01), (0.7, pr.s(0.7) + 0.2),
                          (0.93, pr.s(0.93) + 0.09), (0.96, pr.s(0.96) + 0.03), 16)
            stitches(draw, [pr.xy(u, v) for u, v in seam], contrast(color, 60))
        elif name == "charm":
            x, y = pr.xy(throat + 0.02, _top_v(top, throat + 0.02) - 0.02)
            draw.line((x, y, x + 30, y + 50), fill=(220, 215, 200), width=6)
            draw.ellipse((x + 16, y + 46, x + 48, y + 78), fill=SILVER, outline=(130, 130, 140), width=4)
        elif name == "laces":
            lace = (245, 245, 245) if sum(color) < 600 else (40, 40, 44)
            us = [throat - 0.04 - i * 0.045 for i in range(5)]
            holes = [pr.xy(u, _top_v(top, u) - 0.035) for u in us]
            for (x0, y0), (x1, y1) in zip(holes, holes[1:]):
                draw.line((x0, y0 - 14, x1, y1 + 14), fill=lace, width=12)
                draw.line((x0, y0 + 14, x1, y1 - 14), fill=lace, width=12)
            for x, y in holes:
                draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill=shade(color, -60))
        elif name == "panels":
            for k, (ua, ub, h) in enumerate(((0.05, 0.35, 0.12), (0.55, 0.9, 0.1), (0.25, 0.6, 0.07))):
                pts = [pr.xy(ua, pr.s(ua) + 0.01), pr.xy(ub, pr.s(ub) + 0.01), pr.xy(ub - 0.05, pr.s(ub) + h),
                       pr.xy(ua + 0.05, pr.s(ua) + h + 0.04)]
                draw.polygon(pts, fill=shade(color, (-35, 28, -18)[k]), outline=shade(color, -70))
        elif name == "mesh":
            for u in range(12):
                x, y = pr.xy(0.6 + u * 0.025, pr.s(0.6) + 0.16)
                draw.line((x, y, x + 20, y + 70), fill=shade(color, -28), width=3)
        elif name == "n_logo":
            x, y = pr.xy(0.33, pr.s(0.33) + 0.16)
            draw.text((x, y), "N", font=font(int(L * 0.15)), fill=(120, 124, 132) if sum(color) > 500 else (235, 235, 235),
                      anchor="mm")
        elif name == "swoosh":
            curve = bezier((0.2, pr.s(0.2) + 0.04), (0.45, pr.s(0.45) + 0.0), (0.62, pr.s(0.62) + 0.08),
                           (0.78, pr.s(0.78) + 0.15), 16)
            back = bezier((0.78, pr.s(0.78) + 0.15), (0.55, pr.s(0.55) + 0.05), (0.35, pr.s(0.35) + 0.08),
                          (0.2, pr.s(0.2) + 0.04), 16)
            draw.polygon([pr.xy(u, v) for u, v in curve + back], fill=contrast(color, 90) if sum(color) < 600 else (30, 30, 30))
        elif name == "perforation":
            for i in range(18):
                u, k = 0.8 + (i % 6) * 0.03, i // 6
                x, y = pr.xy(u, _top_v(top, u) - 0.03 - k * 0.025)
                draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=shade(color, -50))
        elif name == "star":
            cx, cy = pr.xy(0.42, pr.s(0.42) + 0.11)
            r = L * 0.06
            pts = [(cx + (r if i % 2 == 0 else r * 0.42) * math.cos(math.pi / 2 + i * math.pi / 5),
                    cy - (r if i % 2 == 0 else r * 0.42) * math.sin(math.pi / 2 + i * math.pi / 5)) for i in range(10)]
            draw.polygon(pts, fill=(30, 30, 30) if sum(color) > 400 else (235, 225, 200))
        elif name == "heel_tab":
            draw.polygon([pr.xy(-0.02, pr.s(0) + 0.06), pr.xy(0.06, pr.s(0.06) + 0.06), pr.xy(0.05, pr.s(0) + 0.25),
                          pr.xy(-0.015, pr.s(0) + 0.25)], fill=(30, 90, 60))
        elif name == "triangle":
            cx, cy = pr.xy(0.1, pr.s(0.1) + 0.2)
            r = L * 0.035
            draw.polygon([(cx - r, cy - r * 0.6), (cx + r, cy - r * 0.6), (cx, cy + r)], fill=(20, 20, 20),
                         outline=SILVER, width=5)
        elif name == "pull_tab":
            x, y = pr.xy(-0.012, pr.s(0) + float(pr.p["collar"]))  # type: ignore[arg-type]
            draw.rounded_rectangle((x - 18, y - 60, x + 22, y + 20), 14, outline=shade(color, -40), width=10)
        elif name == "shaft_seam":
            stitches(draw, [pr.xy(0.16, pr.s(0) + 0.9), pr.xy(0.18, pr.s(0) + 0.3), pr.xy(0.3, pr.s(0.3) + 0.12)],
                     contrast(color, 45))
        elif name == "braid":
            for i in range(16):
                u = i / 16 * (throat + 0.04)
                x, y = pr.xy(u, _top_v(top, u) - 0.012 if u > 0.02 else pr.s(0) + 0.2)
                draw.rectangle((x - 9, y - 9, x + 9, y + 9), fill=((200, 40, 40), (240, 200, 60), (40, 120, 70))[i % 3])
        elif name == "fleece":
            draw.line([pr.xy(u, v + 0.012) for u, v in top if 0.0 <= u <= throat], fill=(238, 228, 206), width=26)
        elif name == "bow":
            x, y = pr.xy(throat + 0.02, _top_v(top, throat + 0.02) + 0.01)
            r = L * 0.045
            bow = shade(color, -40) if sum(color) > 300 else shade(color, 60)
            draw.polygon([(x, y), (x - r * 1.6, y - r), (x - r * 1.6, y + r * 0.6)], fill=bow)
            draw.polygon([(x, y), (x + r * 1.6, y - r), (x + r * 1.6, y + r * 0.6)], fill=bow)
            draw.ellipse((x - r * 0.4, y - r * 0.4, x + r * 0.4, y + r * 0.4), fill=shade(bow, -30))
        elif name == "elastic":
            draw.line([pr.xy(u, v - 0.008) for u, v in top if 0.0 <= u <= throat], fill=shade(color, -55), width=8)
        elif name == "heel_label":
            x, y = pr.xy(0.02, pr.s(0) + 0.1)
            draw.text((x, y), "UGG", font=font(int(L * 0.035)), fill=(40, 30, 20), anchor="lm")
        elif name == "side_text":
            x, y = pr.xy(0.5, pr.s(0.5) - pr.t * 0.5)
            draw.text((x, y), "TRIPLE S", font=font(int(L * 0.03)), fill=(90, 90, 96), anchor="mm")
    if "heel_label" not in pr.p.get("details", ()):  # type: ignore[operator]
        x, y = pr.xy(0.1, pr.s(0.1) + 0.05)
        draw.text((x, y), spec.brand, font=font(int(L * 0.022)), fill=contrast(color, 55), anchor="lm")


def draw_shoe(canvas: Image.Image, spec: Spec, color: RGB, rng: random.Random) -> tuple[float, float, float, float]:
    pr = _Profile(spec.params)
    floor_shadow(canvas, (pr.x0 - 20, pr.ground - 40, pr.x0 + pr.length + 30, pr.ground + 40))
    points, top = _shoe_outline(pr)
    glossy = sum(color) < 40 or spec.params.get("heel_kind") in ("stiletto", "ysl")
    mask = fill_shape(canvas, points, color, kind=str(spec.params.get("texture", "leather")), seed=rng.randint(0, 99),
                      gloss=glossy)
    _sole(canvas, pr, color)
    _heel(canvas, pr, color)
    _shoe_details(canvas, pr, top, spec, color, mask)
    return (pr.x0, pr.ground - pr.length, pr.x0 + pr.length, pr.ground)


def draw_mule(canvas: Image.Image, spec: Spec, color: RGB, rng: random.Random) -> tuple[float, float, float, float]:
    pr = _Profile({"heel": spec.params.get("heel", 0.04), "sole": 0.04, "collar": 0.1, "sole_color": "tan",
                   "heel_kind": "block"})
    floor_shadow(canvas, (pr.x0 - 20, pr.ground - 40, pr.x0 + pr.length + 30, pr.ground + 40))
    _sole(canvas, pr, color)
    _heel(canvas, pr, color)
    band = float(spec.params.get("band", 0.3))  # type: ignore[arg-type]
    top = bezier((0.42, pr.s(0.42)), (0.45, pr.s(0.45) + band * 0.9), (0.95, pr.s(0.95) + band * 0.5),
                 (1.0, pr.s(1.0) + 0.03), 20)
    points = [pr.xy(u, v) for u, v in top] + [pr.xy(u / 20, pr.s(u / 20)) for u in range(20, 8, -1)]
    fill_shape(canvas, points, color, kind="canvas", seed=rng.randint(0, 99))
    draw = ImageDraw.Draw(canvas)
    motif = contrast(color, 80)
    for row in range(3):  # the embroidered toile pattern and the name
        for col in range(6):
            x, y = pr.xy(0.5 + col * 0.08, pr.s(0.5) + 0.05 + row * 0.07)
            draw.ellipse((x - 8, y - 8, x + 8, y + 8), outline=motif, width=3)
    x, y = pr.xy(0.72, pr.s(0.72) + 0.2)
    draw.text((x, y), spec.brand, font=font(int(pr.length * 0.04)), fill=motif, anchor="mm")
    return (pr.x0, pr.ground - pr.length * 0.5, pr.x0 + pr.length, pr.ground)


def draw_sandal(canvas: Image.Image, spec: Spec, color: RGB, rng: random.Random) -> tuple[float, float, float, float]:
    pr = _Profile({"heel": spec.params.get("heel", 0.3), "sole": 0.015, "collar": 0.1, "sole_color": "black",
                   "heel_kind": "stiletto"})
    floor_shadow(canvas, (pr.x0 - 20, pr.ground - 40, pr.x0 + pr.length + 30, pr.ground + 40))
    insole = [pr.xy(u / 30, pr.s(u / 30)) for u in range(31)]
    insole += [pr.xy(u / 30, pr.s(u / 30) + 0.018) for u in range(30, -1, -1)]
    fill_shape(canvas, insole, shade(color, -20), seed=rng.randint(0, 99))
    _sole(canvas, pr, color)
    _heel(canvas, pr, color)
    draw = ImageDraw.Draw(canvas)
    strap = bezier((0.62, pr.s(0.62)), (0.66, pr.s(0.66) + 0.2), (0.86, pr.s(0.86) + 0.16), (0.9, pr.s(0.9)), 24)
    draw.line([pr.xy(u, v) for u, v in strap], fill=color, width=int(pr.length * 0.05))
    draw.line([pr.xy(u, v + 0.012) for u, v in strap], fill=shade(color, 40), width=8)
    if spec.params.get("crystals"):
        for u, v in strap[2:-2:2]:
            x, y = pr.xy(u, v)
            draw.ellipse((x - 9, y - 9, x + 9, y + 9), fill=(250, 250, 255), outline=(160, 160, 175), width=2)
    x, y = pr.xy(0.3, pr.s(0.3) + 0.04)
    draw.text((x, y), spec.brand, font=font(int(pr.length * 0.022)), fill=contrast(color, 60), anchor="lm")
    return (pr.x0, pr.ground - pr.length * 0.5, pr.x0 + pr.length, pr.ground)


def draw_oran(canvas: Image.Image, spec: Spec, color: RGB, rng: random.Random) -> tuple[float, float, float, float]:
    """A flat sandal from above: the foot-shaped sole and the H-cut strap."""
    cx, top, bottom = W * 0.5, W * 0.1, W * 0.9
    floor_shadow(canvas, (cx - W * 0.2, top + 30, cx + W * 0.22, bottom + 40), 70)
    left = bezier((cx, top), (cx - W * 0.24, top + 10), (cx - W * 0.2, bottom - W * 0.3), (cx - W * 0.12, bottom), 24)
    right = bezier((cx + W * 0.12, bottom), (cx + W * 0.2, bottom - W * 0.3), (cx + W * 0.25, top + 10), (cx, top), 24)
    fill_shape(canvas, left + right, (196, 150, 104), seed=2, light=18, dark=-18)
    inner = [(x * 0.93 + cx * 0.07, y * 0.96 + W * 0.02) for x, y in left + right]
    fill_shape(canvas, inner, (222, 188, 150), seed=4, light=10, dark=-10)
    strap_top, strap_bottom = top + W * 0.18, top + W * 0.42
    strap = [(cx - W * 0.23, strap_top), (cx + W * 0.23, strap_top), (cx + W * 0.21, strap_bottom),
             (cx - W * 0.21, strap_bottom)]
    fill_shape(canvas, strap, color, seed=rng.randint(0, 99))
    draw = ImageDraw.Draw(canvas)
    hole = (222, 188, 150)
    draw.rounded_rectangle((cx - W * 0.13, strap_top + 40, cx - W * 0.05, strap_bottom - 40), 30, fill=hole)
    draw.rounded_rectangle((cx + W * 0.05, strap_top + 40, cx + W * 0.13, strap_bottom - 40), 30, fill=hole)
    stitches(draw, [(cx - W * 0.22, strap_top + 14), (cx + W * 0.22, strap_top + 14)], contrast(color, 60))
    stitches(draw, [(cx - W * 0.2, strap_bottom - 14), (cx + W * 0.2, strap_bottom - 14)], contrast(color, 60))
    draw.text((cx, bottom - W * 0.14), spec.brand, font=font(int(W * 0.028)), fill=(120, 84, 50), anchor="mm")
    return (cx - W * 0.24, top, cx + W * 0.24, bottom)


# ---- bags and small leather goods ---------------------------------------------------------------
def _bag_body(kind: str) -> list[Point]:
    c = W / 2
    if kind == "hobo":
        return bezier((c - 380, 560), (c - 300, 980), (c + 300, 980), (c + 380, 560), 30) + \
            bezier((c + 380, 560), (c + 200, 660), (c - 200, 660), (c - 380, 560), 30)
    if kind == "flap":
        return [(c - 330, 520), (c + 330, 520), (c + 345, 960), (c - 345, 960)]
    if kind == "pouch":
        return bezier((c - 420, 560), (c - 480, 900), (c + 480, 900), (c + 420, 560), 30) + \
            bezier((c + 420, 560), (c + 150, 500), (c - 150, 500), (c - 420, 560), 30)
    if kind == "tote":
        return [(c - 360, 420), (c + 360, 420), (c + 390, 1000), (c - 390, 1000)]
    if kind == "backpack":
        return bezier((c - 300, 420), (c - 320, 230), (c + 320, 230), (c + 300, 420), 24) + \
            [(c + 320, 1050), (c - 320, 1050)]
    return [(c - 430, 480), (c + 430, 480), (c + 430, 820), (c - 430, 820)]  # wallet


def draw_bag(canvas: Image.Image, spec: Spec, color: RGB, rng: random.Random) -> tuple[float, float, float, float]:
    p = spec.params
    kind, strap, hardware = str(p["body"]), str(p["strap"]), p.get("hardware", GOLD)
    assert isinstance(hardware, tuple)
    c = W / 2
    body = _bag_body(kind)
    xs, ys = [x for x, _ in body], [y for _, y in body]
    floor_shadow(canvas, (min(xs) - 30, max(ys) - 50, max(xs) + 30, max(ys) + 60))
    draw = ImageDraw.Draw(canvas)
    if strap == "shoulder":
        draw.arc((c - 300, 200, c + 300, 900), 200, 340, fill=shade(color, -25), width=44)
    elif strap == "chain":
        for i in range(44):
            a = math.pi * (1.05 + 0.9 * i / 43)
            x, y = c + 300 * math.cos(a), 560 + 400 * math.sin(a)
            draw.ellipse((x - 22, y - 14, x + 22, y + 14), outline=hardware, width=8)
    elif strap == "handles":
        for dx in (-170, 170):
            draw.arc((c + dx - 110, 200, c + dx + 110, 640), 180, 360, fill=shade(color, -30), width=40)
    elif strap == "top":
        draw.arc((c - 110, 130, c + 110, 400), 180, 360, fill=shade(color, -30), width=36)
    mask = fill_shape(canvas, body, color, kind=str(p.get("texture", "leather")), seed=rng.randint(0, 99))
    draw = ImageDraw.Draw(canvas)
    detail = contrast(color, 55)
    if p.get("quilt"):
        quilt = Image.new("RGB", canvas.size, (0, 0, 0))
        qd = ImageDraw.Draw(quilt)
        for k in range(-12, 14):
            qd.line((c - 700 + k * 110, 400, c + 100 + k * 110, 1200), fill=(60, 60, 60), width=6)
            qd.line((c + 700 + k * 110, 400, c - 100 + k * 110, 1200), fill=(60, 60, 60), width=6)
        lines = ImageChops.multiply(quilt.convert("L").point(lambda v: 255 if v else 0), mask)
        canvas.paste(Image.new("RGB", canvas.size, shade(color, -45 if sum(color) > 200 else 45)), (0, 0), lines)
    if kind == "flap":
        draw.line(((c - 330, 760), (c + 330, 760)), fill=shade(color, -60), width=6)
        draw.rounded_rectangle((c - 60, 720, c + 60, 800), 10, fill=hardware, outline=shade(hardware, -60), width=4)
    elif kind == "hobo":
        draw.polygon([(c - 45, 700), (c + 45, 700), (c, 760)], fill=(20, 20, 20), outline=hardware, width=5)
        stitches(draw, bezier((c - 340, 620), (c - 260, 930), (c + 260, 930), (c + 340, 620), 20), detail)
    elif kind == "pouch":
        for dx in (-260, -130, 0, 130, 260):  # the gathered folds at the frame
            draw.line(bezier((c + dx, 545), (c + dx * 1.05, 640), (c + dx * 1.2, 700), (c + dx * 1.3, 760), 10),
                      fill=shade(color, -35), width=10)
    elif kind == "tote":
        for k in range(14):  # the oblique embroidery
            draw.line((c - 390 + k * 60, 440, c - 390 + k * 60 + 60, 990), fill=shade(color, 35), width=4)
        draw.text((c, 560), spec.brand, font=font(78), fill=contrast(color, 90), anchor="mm")
    elif kind == "backpack":
        draw.rounded_rectangle((c - 200, 700, c + 200, 980), 40, fill=shade(color, -18), outline=shade(color, -50),
                               width=6)
        draw.line((c - 280, 460, c + 280, 460), fill=hardware, width=8)
        draw.polygon([(c - 40, 760), (c + 40, 760), (c, 820)], fill=(20, 20, 20), outline=hardware, width=5)
    elif kind == "wallet":
        for y in range(520, 800, 56):
            for x in range(int(c) - 400, int(c) + 400, 70):
                off = 35 if (y // 56) % 2 else 0
                draw.text((x + off, y), "✦" if (x // 70 + y // 56) % 3 else "LV", font=font(26),
                          fill=(196, 160, 98), anchor="mm")
        draw.line(((c - 430, 500), (c + 430, 500)), fill=hardware, width=10)
        draw.rounded_rectangle((c + 380, 470, c + 470, 530), 12, fill=hardware)
    if kind not in ("tote", "wallet"):
        box = mask.getbbox() or (0, 0, W, W)
        draw.text((c, box[3] - 60), spec.brand, font=font(34), fill=detail, anchor="mm")
    return (min(xs), min(ys), max(xs), max(ys))


# ---- accessories -----------------------------------------------------------------------------------
def draw_belt(canvas: Image.Image, spec: Spec, color: RGB, rng: random.Random) -> tuple[float, float, float, float]:
    c = W / 2
    floor_shadow(canvas, (c - 460, 820, c + 460, 980), 70)
    draw = ImageDraw.Draw(canvas)
    for k, r in enumerate((420, 370, 320)):  # the coiled strap
        draw.ellipse((c - r, 640 - r * 0.62, c + r, 640 + r * 0.62), outline=shade(color, -12 * k), width=46)
        draw.ellipse((c - r + 20, 640 - r * 0.62 + 16, c + r - 20, 640 + r * 0.62 - 16), outline=shade(color, 30),
                     width=3)
    draw.rectangle((c + 60, 900, c + 540, 950), fill=color)
    for i in range(5):
        draw.ellipse((c + 300 + i * 40, 915, c + 318 + i * 40, 933), fill=shade(color, -50))
    hardware = spec.params.get("hardware", GOLD)
    assert isinstance(hardware, tuple)
    if spec.params.get("buckle") == "H":
        for dx in (-90, 50):
            draw.rectangle((c + dx, 800, c + dx + 40, 1010), fill=hardware, outline=shade(hardware, -60), width=4)
        draw.rectangle((c - 60, 885, c + 60, 925), fill=hardware, outline=shade(hardware, -60), width=4)
    else:
        for dx in (-60, 60):
            draw.arc((c + dx - 75, 830, c + dx + 75, 980), 40, 330, fill=hardware, width=24)
            draw.line((c + dx + 10, 905, c + dx + 70, 905), fill=hardware, width=20)
    draw.text((c, 470), spec.brand, font=font(30), fill=contrast(color, 50), anchor="mm")
    return (c - 460, 380, c + 540, 1010)


def draw_scarf(canvas: Image.Image, spec: Spec, color: RGB, rng: random.Random) -> tuple[float, float, float, float]:
    c = W / 2
    floor_shadow(canvas, (c - 440, 940, c + 440, 1080), 60)
    square = [(c - 420, 200), (c + 400, 180), (c + 430, 1010), (c - 400, 1030)]
    fill_shape(canvas, square, color, kind="canvas", seed=rng.randint(0, 99), light=20, dark=-20)
    draw = ImageDraw.Draw(canvas)
    palette = [(200, 60, 60), (60, 120, 200), (230, 190, 60), (80, 160, 90), (250, 245, 235)]
    frng = random.Random(2024)  # the print is the same on every colourway
    inner = (255, 250, 240) if sum(color) < 300 else (40, 40, 80)
    draw.polygon([(c - 360, 260), (c + 345, 243), (c + 370, 950), (c - 345, 968)], outline=inner, width=10)
    for ring in range(6):
        r = 280 - ring * 42
        col = palette[ring % len(palette)] if color != (30, 50, 120) else (inner if ring % 2 else shade(color, 60))
        draw.ellipse((c - r, 600 - r, c + r, 600 + r), outline=col, width=18)
    for k in range(24):
        a = k * math.pi / 12
        draw.line((c + 90 * math.cos(a), 600 + 90 * math.sin(a), c + 280 * math.cos(a), 600 + 280 * math.sin(a)),
                  fill=palette[k % 5], width=6)
    for x, y in ((c - 300, 320), (c + 290, 310), (c + 310, 880), (c - 290, 890)):
        r = frng.randint(40, 60)
        draw.rectangle((x - r, y - r, x + r, y + r), fill=palette[frng.randint(0, 3)], outline=inner, width=5)
    draw.text((c, 990), spec.brand + " PARIS", font=font(30), fill=inner, anchor="mm")
    return (c - 420, 180, c + 430, 1030)


def draw_glasses(canvas: Image.Image, spec: Spec, color: RGB, rng: random.Random) -> tuple[float, float, float, float]:
    c = W / 2
    floor_shadow(canvas, (c - 470, 760, c + 470, 880), 80)
    draw = ImageDraw.Draw(canvas)
    for sign in (-1, 1):  # the arms, going back in perspective
        draw.line((c + sign * 440, 560, c + sign * 330, 470), fill=color, width=22)
        draw.line((c + sign * 330, 470, c + sign * 150, 440), fill=shade(color, 30), width=16)
        draw.rectangle((c + sign * 260 - 20, 448, c + sign * 260 + 20, 466), fill=GOLD)
    for sign in (-1, 1):
        box = (c + sign * 250 - 200, 520, c + sign * 250 + 200, 800)
        draw.rounded_rectangle(box, 110, fill=shade(color, 8), outline=None)
        lens = (box[0] + 26, box[1] + 26, box[2] - 26, box[3] - 26)
        draw.rounded_rectangle(lens, 90, fill=(52, 46, 44))
        draw.rounded_rectangle((lens[0] + 40, lens[1] + 20, lens[0] + 150, lens[1] + 60), 20, fill=(96, 90, 88))
    draw.arc((c - 70, 540, c + 70, 640), 200, 340, fill=color, width=24)
    draw.text((c + 250, 780), spec.brand, font=font(26), fill=GOLD, anchor="mm")
    return (c - 470, 430, c + 470, 820)


def draw_headband(canvas: Image.Image, spec: Spec, color: RGB, rng: random.Random) -> tuple[float, float, float, float]:
    c = W / 2
    floor_shadow(canvas, (c - 400, 880, c + 400, 1000), 70)
    draw = ImageDraw.Draw(canvas)
    for k, width in enumerate((120, 96, 30)):
        draw.arc((c - 380, 260, c + 380, 1500), 190, 350, fill=shade(color, (0, 24, 60)[k]), width=width)
    for i in range(9):
        a = math.radians(205 + i * 16.25)
        x, y = c + 380 * math.cos(a) * 0.98, 880 + 620 * math.sin(a) * 0.985
        draw.ellipse((x - 16, y - 16, x + 16, y + 16), fill=(245, 245, 250), outline=(150, 150, 170), width=3)
    draw.rounded_rectangle((c - 70, 235, c + 70, 290), 10, fill=GOLD)
    draw.text((c, 262), spec.brand, font=font(22), fill=(60, 40, 20), anchor="mm")
    return (c - 400, 230, c + 400, 960)


DRAWERS: dict[str, Drawer] = {"shoe": draw_shoe, "mule": draw_mule, "sandal": draw_sandal, "oran": draw_oran,
                              "bag": draw_bag, "belt": draw_belt, "scarf": draw_scarf, "glasses": draw_glasses,
                              "headband": draw_headband}


def render(product: str, index: int, color: RGB, variant: int) -> Image.Image:
    """The product's catalog photo: SIDE × SIDE RGB. Variant 2 is another shot of the same pair."""
    return render_spec(SPECS[product], index, color, variant)


def render_spec(spec: Spec, index: int, color: RGB, variant: int) -> Image.Image:
    """Any product drawn the catalog way (the benchmark draws products the shop does not sell)."""
    rng = random.Random(index * 101 + 7)
    canvas = backdrop(index, variant)
    DRAWERS[spec.kind](canvas, spec, color, rng)
    if variant >= 2:  # another shot: the other side, closer, a little higher
        canvas = canvas.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        inset = int(W * 0.06)
        canvas = canvas.crop((inset, inset // 2, W - inset, W - inset - inset // 2 + inset // 2))
    return canvas.resize((SIDE, SIDE), Image.Resampling.LANCZOS)
