"""Picture matching benchmark: customer screenshots of the shop's photos → product (offline).

    .venv/bin/python bench/images.py [--variants 5] [--negatives 120] [--seed 7] [--only sample ...]
                                     [--lookalikes 150] [--lookalike-seed 4242]

Labelled set, generated here (nothing downloaded): every shop photo is transformed the way
a customer's screenshot transforms it — crop 60–100 % of each side at a random place,
rescale (180–1080 px), slight rotation (±4°), JPEG quality 40–90, and a frame imitating a
phone: status bar (time, battery), an Instagram header (avatar, name) with like/comment
bar and caption, or a WhatsApp chat (green header, image in a bubble). Unrelated pictures
that must NOT match: random shape scenes, plain text screenshots, noise/gradient photos,
and shoes/bags the shop does not sell drawn the sample shop's way (data/sample_pictures.py).

Catalogs measured: the sample shop (data/photos: 640 px catalog-style pictures, one shape
per product, same-category products differing by details and proportions), the same
photos under HELD-OUT transforms never used while tuning (a Telegram chat frame, an
Instagram story over a blurred copy, the phone's brightness/contrast/saturation, another
seed), the same photos under the NEW held-out transforms (a VK/Telegram dark-theme chat, a sticker
over a corner, a caption bar, a perspective tilt, seed 2718; the old held-out ones became tuning
data when the picture locator (locate.py) was built on them), a richer synthetic catalog (random compositions), and
main's data/photos (`--only old`; since the 640 px pictures were merged it is the sample set again,
kept for the next time the sample photos change).
Figures: hit@1 (product), colour accuracy, confident/unsure rates, false-match rate
(an unrelated picture matched confidently, or unsure), time per query, and the trade-off
at five thresholds (hit@1 is the ranking's own and does not move with them; the right
answers and the false matches do); the baseline in the same run is one whole-image dHash
without chrome trimming. Goals: hit@1 ≥ 0.9, false matches ≤ 2 %. For an A/B with main's
matcher run this file from both trees with the same seeds (the sets depend only on them).

Last measured (5 variants, 120 unrelated; this tree vs main's matcher in the same hour,
the product-colour gate of verify.py/matching.py being the difference):
  tuned transforms (seed 7): hit@1 0.988 (main 0.977), false matches 0.8 % (main 6.7 %),
    wrong product named 0.6 % (0.3 %), answered right 0.907 (0.890);
  old held-out (Telegram, story, phone filter; seed 1913): hit@1 0.928 (0.901), false 0.8 % (5.0 %),
    wrong 0.6 % (1.7 %), answered right 0.794 (0.722), story 0.86 (0.83);
  new held-out (dark chat, sticker, caption bar, perspective; seed 2718, run once): hit@1 0.913
    (0.913), false 1.7 % (4.2 %), wrong 0.0 % (0.9 %), answered right 0.655 (0.623);
  richer synthetic catalog: hit@1 0.996 (0.996), false 0 % (0 %), answered right 0.931 (0.933);
  lookalikes only (150, seed 4242; `--only lookalikes`, same draws for main via the same
    rng sequence): named 4.0 % (main 16.7 %), ~1.0 % (main ~4.2 %) in the default mix;
  CPU per customer picture 392–431 ms (main 384–425 ms in the same run).
  Trade-off on the tuned set, confident/unsure thresholds 15/17 … 23/25 (chosen 19/21): answered
  right 0.855 / 0.881 / 0.907 / 0.922 / 0.922 at false 0.8 / 0.8 / 0.8 / 1.7 / 1.7 %.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import sys
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from ottenok_desktop.engine.media import MatchConfidence  # noqa: E402
from ottenok_desktop.services.photos.local import LocalPhotoSource  # noqa: E402
from ottenok_desktop.services.photos.matching import PhotoMatcher  # noqa: E402
from ottenok_desktop.services.photos.print_cache import forget_in_memory  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


# ---- customer-side transforms ----------------------------------------------------------
def crop_scale_rotate(image: Image.Image, rng: random.Random, tags: dict[str, str]) -> Image.Image:
    w, h = image.size
    fw, fh = rng.uniform(0.6, 1.0), rng.uniform(0.6, 1.0)
    cw, ch = int(w * fw), int(h * fh)
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    out = image.convert("RGB").crop((x, y, x + cw, y + ch))
    side = rng.randint(180, 1080)
    out = out.resize((side, max(1, int(side * ch / cw))), Image.Resampling.BICUBIC)
    angle = rng.uniform(-4, 4)
    if abs(angle) > 0.5:
        out = out.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    tags["crop"] = "crop<75%" if min(fw, fh) < 0.75 else "crop≥75%"
    tags["rotation"] = "rot>2°" if abs(angle) > 2 else "rot≤2°"
    tags["size"] = "side<400" if side < 400 else "side≥400"
    return out


def status_bar(draw: ImageDraw.ImageDraw, width: int, dark: bool) -> int:
    height = 44
    fg = (255, 255, 255) if dark else (0, 0, 0)
    draw.rectangle((0, 0, width, height), fill=(0, 0, 0) if dark else (255, 255, 255))
    draw.text((16, 14), "14:3" + str(random.randint(0, 9)), fill=fg)
    draw.rectangle((width - 50, 16, width - 20, 28), outline=fg)
    draw.rectangle((width - 48, 18, width - 30, 26), fill=fg)
    return height


def instagram_frame(picture: Image.Image, rng: random.Random) -> Image.Image:
    width = 540
    pic = picture.resize((width, max(1, int(width * picture.height / picture.width))))
    dark = rng.random() < 0.4
    bg, fg = ((0, 0, 0), (250, 250, 250)) if dark else ((255, 255, 255), (20, 20, 20))
    canvas = Image.new("RGB", (width, pic.height + 260), bg)
    draw = ImageDraw.Draw(canvas)
    top = status_bar(draw, width, dark)
    draw.ellipse((12, top + 10, 48, top + 46), fill=(200, 80, 120))
    draw.text((58, top + 20), "ottenok.almaty", fill=fg)
    draw.text((width - 30, top + 20), "...", fill=fg)
    y = top + 56
    canvas.paste(pic, (0, y))
    y += pic.height + 10
    for i in range(3):
        draw.ellipse((14 + i * 40, y, 40 + i * 40, y + 26), outline=fg, width=2)
    draw.text((14, y + 40), "Нравится: 1 24" + str(rng.randint(0, 9)), fill=fg)
    draw.text((14, y + 60), "ottenok.almaty Новинка! В наличии 36-40 ✨", fill=fg)
    return canvas


def whatsapp_frame(picture: Image.Image, rng: random.Random) -> Image.Image:
    width = 540
    inner = int(width * 0.72)
    pic = picture.resize((inner, max(1, int(inner * picture.height / picture.width))))
    canvas = Image.new("RGB", (width, pic.height + 300), (236, 229, 221))
    draw = ImageDraw.Draw(canvas)
    top = status_bar(draw, width, True)
    draw.rectangle((0, top, width, top + 60), fill=(7, 94, 84))
    draw.ellipse((12, top + 12, 48, top + 48), fill=(180, 180, 180))
    draw.text((60, top + 22), "Айгерим", fill=(255, 255, 255))
    y = top + 90
    x = width - inner - 20
    draw.rectangle((x - 6, y - 6, x + inner + 6, y + pic.height + 28), fill=(220, 248, 198))
    canvas.paste(pic, (x, y))
    draw.text((x + inner - 40, y + pic.height + 8), "12:4" + str(rng.randint(0, 9)), fill=(90, 90, 90))
    draw.rectangle((0, canvas.height - 56, width, canvas.height), fill=(240, 240, 240))
    draw.rounded_rectangle((10, canvas.height - 48, width - 60, canvas.height - 8), 18, fill=(255, 255, 255))
    return canvas


def telegram_frame(picture: Image.Image, rng: random.Random) -> Image.Image:
    """Held out: a Telegram chat (blue-grey header, the photo in a rounded bubble, caption under it)."""
    width = 600
    inner = int(width * 0.8)
    pic = picture.resize((inner, max(1, int(inner * picture.height / picture.width))))
    canvas = Image.new("RGB", (width, pic.height + 330), (200, 216, 190))
    draw = ImageDraw.Draw(canvas)
    top = status_bar(draw, width, False)
    draw.rectangle((0, top, width, top + 64), fill=(82, 126, 164))
    draw.text((70, top + 24), "Ottenok Almaty", fill=(255, 255, 255))
    y, x = top + 100, 24
    mask = Image.new("L", pic.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, pic.width, pic.height), 28, fill=255)
    draw.rounded_rectangle((x - 4, y - 4, x + inner + 4, y + pic.height + 60), 30, fill=(255, 255, 255))
    canvas.paste(pic, (x, y), mask)
    draw.text((x + 12, y + pic.height + 18), "Вот эти, размер 38 есть?"[: rng.randint(10, 24)], fill=(0, 0, 0))
    return canvas


def story_frame(picture: Image.Image, rng: random.Random) -> Image.Image:
    """Held out: an Instagram story (9:16, the photo over a blurred copy, progress bars, reply box)."""
    from PIL import ImageFilter

    width, height = 540, 960
    canvas = picture.resize((width, height)).filter(ImageFilter.GaussianBlur(30))
    pic = picture.resize((width, max(1, int(width * picture.height / picture.width))))
    y = (height - pic.height) // 2 + rng.randint(-60, 60)
    canvas.paste(pic, (0, y))
    draw = ImageDraw.Draw(canvas)
    for i in range(4):
        draw.rectangle((10 + i * 131, 12, 134 + i * 131, 16), fill=(255, 255, 255) if i < 2 else (160, 160, 160))
    draw.ellipse((12, 28, 52, 68), fill=(200, 80, 120))
    draw.text((62, 40), "ottenok.almaty  5 ч", fill=(255, 255, 255))
    draw.rounded_rectangle((12, height - 70, width - 90, height - 22), 24, outline=(255, 255, 255), width=2)
    draw.text((30, height - 54), "Отправить сообщение", fill=(255, 255, 255))
    return canvas


def phone_filter(picture: Image.Image, rng: random.Random) -> Image.Image:
    """Held out: the phone's own look (brightness, contrast, saturation ±15 %)."""
    from PIL import ImageEnhance

    for enhancer in (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color):
        picture = enhancer(picture).enhance(rng.uniform(0.85, 1.15))
    return picture


# ---- the NEW held-out transforms (added when the old held-out ones became tuning data) --------
# Never looked at while tuning: run once, reported as they come out.
def dark_chat_frame(picture: Image.Image, rng: random.Random) -> Image.Image:
    """A VK / Telegram dark-theme chat: near-black screen, slate header, the photo in a dark bubble
    with a reply quote above it and the time over its corner."""
    width = 580
    inner = int(width * rng.uniform(0.7, 0.85))
    pic = picture.resize((inner, max(1, int(inner * picture.height / picture.width))))
    canvas = Image.new("RGB", (width, pic.height + 360), (14, 22, 33))
    draw = ImageDraw.Draw(canvas)
    top = status_bar(draw, width, True)
    draw.rectangle((0, top, width, top + 58), fill=(33, 47, 63))
    draw.ellipse((14, top + 10, 52, top + 48), fill=(90, 140, 200))
    draw.text((64, top + 20), "Мадина", fill=(235, 235, 235))
    x, y = width - inner - 16, top + 150
    draw.rounded_rectangle((x - 6, y - 64, x + inner + 6, y + pic.height + 8), 16, fill=(43, 82, 120))
    draw.rectangle((x + 4, y - 54, x + 7, y - 14), fill=(120, 190, 250))
    draw.text((x + 14, y - 50), "Ottenok Almaty", fill=(120, 190, 250))
    draw.text((x + 14, y - 32), "Новое поступление 🔥", fill=(220, 220, 220))
    canvas.paste(pic, (x, y))
    draw.rounded_rectangle((x + inner - 62, y + pic.height - 28, x + inner - 8, y + pic.height - 8), 8,
                           fill=(0, 0, 0))
    draw.text((x + inner - 54, y + pic.height - 25), "21:0" + str(rng.randint(0, 9)), fill=(255, 255, 255))
    draw.rectangle((0, canvas.height - 60, width, canvas.height), fill=(23, 33, 43))
    draw.text((20, canvas.height - 40), "Сообщение", fill=(110, 120, 130))
    return canvas


def sticker_overlay(picture: Image.Image, rng: random.Random) -> Image.Image:
    """A sticker / emoji (a round face, hearts) pasted over one corner of the picture."""
    out = picture.copy()
    draw = ImageDraw.Draw(out)
    size = int(min(out.size) * rng.uniform(0.15, 0.25))
    corner = rng.randrange(4)
    x = 6 if corner % 2 == 0 else out.width - size - 6
    y = 6 if corner < 2 else out.height - size - 6
    draw.ellipse((x, y, x + size, y + size), fill=(255, 204, 51), outline=(200, 140, 0), width=max(1, size // 20))
    eye = max(2, size // 8)
    for ex in (x + size // 3, x + 2 * size // 3):
        draw.ellipse((ex - eye, y + size // 3 - eye, ex + eye, y + size // 3 + eye), fill=(230, 40, 80))
    draw.arc((x + size // 4, y + size // 3, x + 3 * size // 4, y + 3 * size // 4), 20, 160, fill=(90, 40, 0),
             width=max(1, size // 14))
    return out


def caption_bar(picture: Image.Image, rng: random.Random) -> Image.Image:
    """A screenshot with a caption: a text bar over the bottom of the picture (story text) or a white
    bar with the text above it (a forwarded meme-style post)."""
    text = rng.choice(["Есть 38 размер?", "Вот такие хочу 😍", "Сколько стоит?", "Мынау бар ма? 37 өлшем"])
    if rng.random() < 0.5:
        out = picture.convert("RGBA")
        layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
        bar = max(24, out.height // 8)
        top = out.height - bar - out.height // 10
        ImageDraw.Draw(layer).rectangle((0, top, out.width, top + bar), fill=(0, 0, 0, 150))
        out = Image.alpha_composite(out, layer).convert("RGB")
        ImageDraw.Draw(out).text((out.width // 6, top + bar // 3), text, fill=(255, 255, 255))
        return out
    bar = max(40, picture.height // 5)
    canvas = Image.new("RGB", (picture.width, picture.height + bar), (255, 255, 255))
    canvas.paste(picture, (0, bar))
    ImageDraw.Draw(canvas).text((12, bar // 3), text, fill=(0, 0, 0))
    return canvas


def perspective_tilt(picture: Image.Image, rng: random.Random) -> Image.Image:
    """A photo of a screen taken at a slight angle: a keystone of up to 6 % on one axis."""
    w, h = picture.size
    k = rng.uniform(0.02, 0.06) * rng.choice((-1, 1))
    if rng.random() < 0.5:  # top edge narrower or wider than the bottom
        quad = (w * max(0, k), 0, 0, h, w, h, w - w * max(0, k), 0) if k > 0 else \
            (0, 0, -w * k, h, w + w * k, h, w, 0)
    else:
        quad = (0, h * max(0, k), 0, h - h * max(0, k), w, h, w, 0) if k > 0 else \
            (0, 0, 0, h, w, h + h * k, w, -h * k)
    return picture.transform((w, h), Image.Transform.QUAD, quad, Image.Resampling.BICUBIC, fillcolor=(30, 30, 30))


def customer_picture(image: Image.Image, rng: random.Random, family: str = "tuned") -> tuple[bytes, dict[str, str]]:
    """A customer's screenshot of the shop photo, and how it was made (for the breakdown)."""
    tags: dict[str, str] = {}
    picture = crop_scale_rotate(image, rng, tags)
    frame = rng.random()
    if family == "heldout":
        picture = phone_filter(picture, rng)
        frames = (("telegram", telegram_frame), ("story", story_frame))
    elif family == "heldout2":  # the new held-out set: other frames, overlays and distortions
        extra = rng.random()
        if extra < 0.3:
            tags["overlay"], picture = "sticker", sticker_overlay(picture, rng)
        elif extra < 0.6:
            tags["overlay"], picture = "caption bar", caption_bar(picture, rng)
        elif extra < 0.8:
            tags["overlay"], picture = "perspective", perspective_tilt(picture, rng)
        else:
            tags["overlay"] = "no overlay"
        frames = (("dark chat", dark_chat_frame), ("instagram", instagram_frame))
    else:
        frames = (("instagram", instagram_frame), ("whatsapp", whatsapp_frame))
    if frame < 0.35:
        tags["frame"], picture = frames[0][0], frames[0][1](picture, rng)
    elif frame < 0.7:
        tags["frame"], picture = frames[1][0], frames[1][1](picture, rng)
    else:
        tags["frame"] = "no frame"
    quality = rng.randint(40, 90)
    tags["jpeg"] = "q<60" if quality < 60 else "q≥60"
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue(), tags


# ---- unrelated pictures ------------------------------------------------------------------
def unrelated(rng: random.Random, index: int) -> Image.Image:
    kind = index % 4
    w, h = rng.randint(300, 900), rng.randint(300, 900)
    if kind == 0:  # a random scene of shapes
        image = Image.new("RGB", (w, h), tuple(rng.randint(0, 255) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        for _ in range(rng.randint(3, 12)):
            box = sorted(rng.sample(range(w), 2)), sorted(rng.sample(range(h), 2))
            shape = (box[0][0], box[1][0], box[0][1], box[1][1])
            fill = tuple(rng.randint(0, 255) for _ in range(3))
            (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(shape, fill=fill)
        return image
    if kind == 1:  # a text-only chat screenshot
        image = Image.new("RGB", (540, 960), (236, 229, 221))
        draw = ImageDraw.Draw(image)
        status_bar(draw, 540, rng.random() < 0.5)
        for i in range(rng.randint(4, 12)):
            y = 80 + i * 70
            x = 20 if rng.random() < 0.5 else 200
            draw.rectangle((x, y, x + 300, y + 50), fill=(255, 255, 255) if x == 20 else (220, 248, 198))
            draw.text((x + 10, y + 15), "Здравствуйте, есть в наличии?"[: rng.randint(8, 28)], fill=(0, 0, 0))
        return image
    if kind == 2:  # a "photo": smooth gradient + noise
        y, x = np.mgrid[0:h, 0:w]
        base = np.stack([(x * rng.uniform(0.1, 0.6) + y * rng.uniform(0.1, 0.6) + rng.randint(0, 255)) % 256
                         for _ in range(3)], axis=2)
        noise = np.random.default_rng(index).normal(0, 25, (h, w, 3))
        return Image.fromarray(np.clip(base + noise, 0, 255).astype("uint8"))
    # a product the shop does not sell, drawn the way the sample shop's photos are
    return other_product(rng)


def other_product(rng: random.Random) -> Image.Image:
    """A shoe or bag with made-up proportions and details in a random colour (catalog style)."""
    sys.path.insert(0, str(ROOT / "data"))
    import sample_pictures as sp

    color = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))
    if rng.random() < 0.6:
        details = rng.sample(["laces", "bow", "horsebit", "star", "welt", "moc_seam", "swoosh", "triangle"], 2)
        spec = sp.Spec("shoe", rng.choice(["ZARA", "MANGO", "ECCO", "VALENTINO"]), dict(
            heel=rng.choice([0.0, 0.03, 0.2, 0.3]), collar=rng.uniform(0.12, 0.5), throat=rng.uniform(0.4, 0.65),
            vamp=rng.uniform(0.1, 0.3), toe=rng.choice(["round", "almond", "point", "square"]),
            sole=rng.uniform(0.015, 0.1), sole_color=rng.choice(list(sp.SOLE_COLORS)),
            heel_kind=rng.choice(["stiletto", "block", "flat"]), details=tuple(details)))
    else:
        spec = sp.Spec("bag", rng.choice(["FURLA", "COACH", "FENDI"]), dict(
            body=rng.choice(["hobo", "flap", "pouch", "tote", "backpack", "wallet"]),
            strap=rng.choice(["shoulder", "chain", "handles", "top", "none"]), hardware=sp.GOLD,
            quilt=rng.random() < 0.3, logo="none"))
    return sp.render_spec(spec, rng.randint(30, 90), color, 1)


# ---- a richer synthetic catalog --------------------------------------------------------------
PALETTE = {"черный": (25, 25, 28), "белый": (240, 240, 236), "бежевый": (214, 190, 160), "красный": (190, 30, 40),
           "розовый": (236, 160, 180), "коричневый": (110, 70, 40)}


def rich_photo(product_index: int, color: str, variant: int) -> Image.Image:
    """A 600×600 'product photo': a product-specific silhouette, texture and props, per colour."""
    rng = random.Random(product_index * 1000 + variant)
    base = PALETTE[color]
    image = Image.new("RGB", (600, 600), tuple(rng.randint(200, 250) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(4):  # background props
        x, y = rng.randint(0, 500), rng.randint(0, 500)
        draw.rectangle((x, y, x + rng.randint(40, 160), y + rng.randint(40, 160)),
                       fill=tuple(rng.randint(120, 230) for _ in range(3)))
    shape = random.Random(product_index)
    points = [(shape.randint(80, 520), shape.randint(150, 480)) for _ in range(shape.randint(5, 9))]
    draw.polygon(points, fill=base)
    for _ in range(shape.randint(3, 8)):  # stitching / details, product-specific
        x, y = shape.randint(120, 480), shape.randint(180, 440)
        r = shape.randint(8, 40)
        detail = tuple(min(255, c + 70) for c in base) if sum(base) < 300 else tuple(max(0, c - 70) for c in base)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=detail, width=shape.randint(3, 8))
    return image


def make_rich_catalog(root: Path, products: int = 24) -> None:
    colors = list(PALETTE)
    for index in range(products):
        folder = root / f"Модель {index + 1:02d}"
        folder.mkdir(parents=True)
        for color in random.Random(index).sample(colors, 2):
            for variant in (1, 2):
                rich_photo(index, color, variant).save(folder / f"{color}_{variant}.jpg", quality=92)


# ---- the measurement --------------------------------------------------------------------------
def dhash(image: Image.Image) -> np.ndarray:
    grey = np.asarray(image.convert("L").resize((9, 8)), dtype=np.int16)
    return (grey[:, 1:] > grey[:, :-1]).flatten()


async def measure(name: str, root: Path, variants: int, negatives: int, seed: int,
                  family: str = "tuned") -> dict[str, float]:
    rng = random.Random(seed)
    executor = ThreadPoolExecutor(2)
    source = LocalPhotoSource(root, executor)
    prints = Path(tempfile.mkdtemp(prefix="photo_prints_"))
    forget_in_memory()  # a cold start: nothing described yet in this process, nothing on disk
    matcher = PhotoMatcher(source, executor, cache_dir=prints)
    started, cpu_started = time.perf_counter(), time.process_time()
    count = await matcher.refresh()
    index_seconds, index_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    forget_in_memory()  # the next start of the program: the fingerprints come from the disk cache
    cached_started, cached_cpu_started = time.perf_counter(), time.process_time()
    await PhotoMatcher(source, executor, cache_dir=prints).refresh()
    cached_seconds, cached_cpu = time.perf_counter() - cached_started, time.process_time() - cached_cpu_started
    photos = await source.all_photos()
    base_hashes = [(p.product, dhash(Image.open(p.path))) for p in photos if p.path]
    hits = colors = confident = unsure = base_hits = total = rank_hits = rank_colors = wrong_product = 0
    breakdown: dict[str, list[int]] = {}
    gaps: list[tuple[float, float, bool]] = []
    negative_best: list[float] = []
    kept: list[tuple[list, str | None]] = []  # every ranking and its truth (None: unrelated), for the curve
    seconds = cpu = 0.0
    for photo in photos:
        assert photo.path is not None
        original = Image.open(photo.path).convert("RGB")
        for _ in range(variants):
            data, tags = customer_picture(original, rng, family)
            t0, c0 = time.perf_counter(), time.process_time()
            ranking = await matcher.ranked(data)
            seconds += time.perf_counter() - t0
            cpu += time.process_time() - c0
            found = matcher.decide(ranking)
            kept.append((ranking, photo.product))
            top = ranking[0]
            rank_hits += top[1] == photo.product
            rank_colors += top[1] == photo.product and top[2] == photo.color
            for tag in tags.values():
                cell = breakdown.setdefault(tag, [0, 0])
                cell[0] += top[1] == photo.product
                cell[1] += 1
            if len(ranking) > 1:
                gaps.append((ranking[0][0], ranking[1][0] - ranking[0][0], top[1] == photo.product))
            total += 1
            query_hash = dhash(Image.open(io.BytesIO(data)))
            base_best = min(base_hashes, key=lambda item: int((item[1] != query_hash).sum()))
            base_hits += base_best[0] == photo.product
            wrong_product += bool(found.product) and found.product != photo.product
            if found.product == photo.product:
                hits += 1
                colors += found.color == photo.color
            confident += found.confidence == MatchConfidence.CONFIDENT
            unsure += found.confidence == MatchConfidence.UNSURE
    false_confident = false_unsure = 0
    for index in range(negatives):
        buffer = io.BytesIO()
        unrelated(rng, index).save(buffer, "JPEG", quality=rng.randint(40, 90))
        ranking = await matcher.ranked(buffer.getvalue())
        found = matcher.decide(ranking)
        kept.append((ranking, None))
        negative_best.append(ranking[0][0])
        false_confident += found.confidence == MatchConfidence.CONFIDENT
        false_unsure += found.confidence == MatchConfidence.UNSURE
    executor.shutdown()
    shutil.rmtree(prints, ignore_errors=True)
    products = len({p.product for p in photos})
    print(f"== {name} [{family} transforms, seed {seed}]: {products} products, {count} photos indexed in "
          f"{index_seconds:.1f} s; {total} customer pictures, {negatives} unrelated")
    print(f"  hit@1 (top-ranked product) {rank_hits / total:.3f}; colour right too {rank_colors / total:.3f}"
          f"   [baseline whole-image dHash hit@1 {base_hits / total:.3f}]")
    print("  hit@1 by transform: " + ", ".join(f"{tag} {ok / n:.2f} ({n})" for tag, (ok, n) in sorted(breakdown.items())))
    print(f"  answered with the right product (confident or unsure) {hits / total:.3f}, colour right "
          f"{colors / max(1, hits):.3f}")
    right = sorted(d for d, _, ok in gaps if ok)
    if right:
        print(f"  distances: right top-1 median {np.median(right):.1f} p90 {np.percentile(right, 90):.1f}; "
              f"unrelated best min {min(negative_best):.1f} p10 {np.percentile(negative_best, 10):.1f}")
    print(f"  a wrong product named (confident or asked about) {wrong_product / total:.3f}")
    print(f"  confident {confident / total:.3f}, unsure {unsure / total:.3f}, none {(total - confident - unsure) / total:.3f}")
    print(f"  false matches on unrelated pictures: confident {false_confident / negatives:.3f}, "
          f"unsure (asked «Это …?») {false_unsure / negatives:.3f}")
    # CPU time too: the machine the figures come from may be shared (wall time then says little)
    print(f"  per customer picture (decode + describe + rank + second look): {seconds / total * 1000:.0f} ms wall, "
          f"{cpu / total * 1000:.0f} ms CPU; index: {index_seconds / max(1, count) * 1000:.0f} ms wall, "
          f"{index_cpu / max(1, count) * 1000:.0f} ms CPU per photo")
    print(f"  index build: cold {index_seconds:.2f} s wall / {index_cpu:.2f} s CPU, from the disk cache "
          f"{cached_seconds:.2f} s wall / {cached_cpu:.2f} s CPU ({count} photos)")
    trade_off(matcher, kept)
    return {"hit1": rank_hits / total, "false": (false_confident + false_unsure) / negatives,
            "wrong": wrong_product / total}


async def lookalikes(root: Path, count: int, seed: int) -> None:
    """Only shoes and bags the shop does not sell, drawn its way (the hard negatives: a quarter of
    `--negatives`, so 30 per set by default, too few to tell 1 % from 3 %): the share named at all."""
    rng = random.Random(seed)
    executor = ThreadPoolExecutor(2)
    prints = Path(tempfile.mkdtemp(prefix="photo_prints_"))
    matcher = PhotoMatcher(LocalPhotoSource(root, executor), executor, cache_dir=prints)
    named = confident = 0
    for _ in range(count):
        buffer = io.BytesIO()
        other_product(rng).save(buffer, "JPEG", quality=rng.randint(40, 90))
        found = await matcher.match(buffer.getvalue())
        named += bool(found.product)
        confident += found.confidence == MatchConfidence.CONFIDENT
    executor.shutdown()
    shutil.rmtree(prints, ignore_errors=True)
    print(f"== lookalikes only [seed {seed}]: {count} shoes/bags the shop does not sell, drawn its way: "
          f"named {named / count * 100:.1f} % (confidently {confident / count * 100:.1f} %); in the default "
          f"mix of unrelated pictures (a quarter lookalikes) that is ~{named / count * 25:.1f} % false matches")


def trade_off(matcher: PhotoMatcher, kept: list[tuple[list, str | None]]) -> None:
    """The same rankings decided at other thresholds (hit@1 is the ranking's and does not move; what
    moves is how many pictures get the right product named and how many unrelated ones get one)."""
    chosen = matcher.thresholds
    points = []
    for shift in (-4.0, -2.0, 0.0, 2.0, 4.0):
        matcher.thresholds = replace(chosen, confident=chosen.confident + shift, unsure=chosen.unsure + shift)
        right = named_unrelated = customers = unrelated_count = 0
        for ranking, truth in kept:
            found = matcher.decide(ranking)
            if truth is None:
                unrelated_count += 1
                named_unrelated += bool(found.product)
            else:
                customers += 1
                right += found.product == truth
        points.append(f"{matcher.thresholds.confident:.0f}/{matcher.thresholds.unsure:.0f}: answered right "
                      f"{right / max(1, customers):.3f}, false {named_unrelated / max(1, unrelated_count) * 100:.1f} %")
    matcher.thresholds = chosen
    print("  trade-off (confident/unsure thresholds): " + "; ".join(points))


def old_sample_photos(target: Path) -> Path | None:
    """The sample photos as main has them (data/photos on the main branch), for an A/B in one run."""
    import subprocess

    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "main", "data/photos"], check=True,
                                 capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target / "data" / "photos"


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", type=int, default=5)
    parser.add_argument("--negatives", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--heldout-seed", type=int, default=1913)
    parser.add_argument("--heldout2-seed", type=int, default=2718)
    parser.add_argument("--lookalikes", type=int, default=150)
    parser.add_argument("--lookalike-seed", type=int, default=4242)
    parser.add_argument("--only", choices=("sample", "heldout", "heldout2", "rich", "old", "lookalikes"),
                        action="append")
    args = parser.parse_args()
    only = set(args.only or ("sample", "heldout", "heldout2", "rich", "old", "lookalikes"))
    results: dict[str, dict[str, float]] = {}
    photos = ROOT / "data" / "photos"
    if "lookalikes" in only:
        await lookalikes(photos, args.lookalikes, args.lookalike_seed)
    if "sample" in only:
        results["sample"] = await measure("sample shop (data/photos)", photos, args.variants, args.negatives, args.seed)
    if "heldout" in only:  # transforms and seeds never used while tuning (Telegram, story, phone filter)
        results["held-out"] = await measure("sample shop (data/photos)", photos, args.variants, args.negatives,
                                            args.heldout_seed, "heldout")
    if "heldout2" in only:  # the new held-out set (dark chat, sticker, caption bar, perspective, another seed)
        results["new held-out"] = await measure("sample shop (data/photos)", photos, args.variants,
                                                args.negatives, args.heldout2_seed, "heldout2")
    with tempfile.TemporaryDirectory() as tmp:
        if "rich" in only:
            make_rich_catalog(Path(tmp) / "rich")
            results["rich"] = await measure("richer synthetic catalog", Path(tmp) / "rich", args.variants,
                                            args.negatives, args.seed)
        old = old_sample_photos(Path(tmp) / "old") if "old" in only else None
        if old is not None:
            results["old sample"] = await measure("main's sample photos (data/photos on main)", old, args.variants,
                                                  args.negatives, args.seed)
    for name, figures in results.items():
        ok = figures["hit1"] >= 0.9 and figures["false"] <= 0.02
        print(f"goal on {name} (hit@1 ≥ 0.9, false matches ≤ 2 %): {'met' if ok else 'NOT met'} "
              f"(hit@1 {figures['hit1']:.3f}, false {figures['false'] * 100:.1f} %, wrong product named "
              f"{figures['wrong'] * 100:.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
