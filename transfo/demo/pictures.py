"""Pictures the demo draws itself: abstract compositions, the same for the same seed.

No photograph of anyone, no file to download: shapes and colours drawn with Pillow, published by
the demo under CC BY-SA 4.0 like its texts (``CREDIT``).
"""
import io
import random

from PIL import Image, ImageDraw

CREDIT = "Dessin génératif de la démo Transfo, CC BY-SA 4.0"
LICENCE_TAG = "cc-by-sa-4.0"

# Warm and cold tones that read well side by side, drawn on a pale background.
PALETTE = ["#e4572e", "#17bebb", "#ffc914", "#2e282a", "#76b041", "#3b6ea5", "#f2a1b8", "#8c5e9e"]
BACKGROUNDS = ["#fbf7ef", "#eef4f3", "#f5f0fa", "#fdf3e7"]


def draw_picture(seed: str, *, width=960, height=640) -> bytes:
    """A JPEG of circles, bands and strokes chosen by ``seed`` (same seed, same bytes)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), rng.choice(BACKGROUNDS))
    draw = ImageDraw.Draw(image)
    colours = rng.sample(PALETTE, 4)
    for _band in range(rng.randint(2, 4)):
        top = rng.randint(0, height)
        draw.rectangle([0, top, width, top + rng.randint(height // 12, height // 4)], fill=rng.choice(colours))
    for _circle in range(rng.randint(3, 7)):
        radius = rng.randint(height // 14, height // 4)
        x, y = rng.randint(0, width), rng.randint(0, height)
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=rng.choice(colours))
    for _stroke in range(rng.randint(2, 5)):
        points = [(rng.randint(0, width), rng.randint(0, height)) for _point in range(3)]
        draw.line(points, fill=rng.choice(colours), width=rng.randint(6, 18))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=82)
    return output.getvalue()
