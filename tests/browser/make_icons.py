"""Make the app's PNG icons from static/images/icon.svg, drawn by the test Chromium.

Run `.venv/bin/python -m tests.browser.make_icons` after changing the SVG; the PNGs are small
and committed. "any" icons are the SVG as it is; the maskable and Apple touch icons fill the
whole square (the platform cuts its own shape) with the page drawn inside the safe zone.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parents[2] / "diary" / "static"
SOURCE = STATIC / "images" / "icon.svg"
TARGET = STATIC / "manifest" / "icons"


def full_bleed(svg: str, inner_scale: float = 0.82) -> str:
    """The icon with square corners and its drawing shrunk towards the centre."""
    first_rect = re.search(r"<rect [^>]*/>", svg)
    assert first_rect, "icon.svg should start with its background <rect>"
    background = re.sub(r'\srx="[^"]*"', "", first_rect.group(0))
    drawing = svg[first_rect.end() : svg.rindex("</svg>")]
    shift = 16 * (1 - inner_scale)
    return (
        svg[: first_rect.start()]
        + background
        + f'<g transform="translate({shift:.3f} {shift:.3f}) scale({inner_scale})">{drawing}</g></svg>'
    )


def render(page, svg: str, size: int, path: Path) -> None:
    page.set_viewport_size({"width": size, "height": size})
    page.set_content(
        "<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block;"
        f"width:{size}px;height:{size}px}}</style>{svg}"
    )
    page.screenshot(
        path=str(path), omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size}
    )


def main() -> None:
    svg = SOURCE.read_text()
    TARGET.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu"],
        )
        page = browser.new_page(device_scale_factor=1)
        render(page, svg, 192, TARGET / "icon-192.png")
        render(page, svg, 512, TARGET / "icon-512.png")
        render(page, full_bleed(svg), 512, TARGET / "maskable-512.png")
        render(page, full_bleed(svg, 0.9), 180, TARGET / "apple-touch-icon.png")
        browser.close()
    for path in sorted(TARGET.glob("*.png")):
        print(f"{path.relative_to(STATIC)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
