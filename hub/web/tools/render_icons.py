"""Render hub/web/static/icon.svg as the PNG icons the feeds and pages name (a developer's tool).

    python hub/web/tools/render_icons.py

Writes icon-512.png (JSON Feed's `icon`, a touch icon) and icon-64.png (JSON Feed's `favicon`, the
pages' icon for browsers without SVG icons) beside the SVG, drawn by Debian's chromium through
playwright (`make test` installs both), so the PNGs are the SVG as a browser draws it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parent.parent / "static"
SIZES = {"icon-512.png": 512, "icon-64.png": 64}


def main() -> None:
    svg = (STATIC / "icon.svg").read_text(encoding="utf-8")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for name, size in SIZES.items():
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(f'<html><body style="margin:0;background:transparent">'
                             f'<div style="width:{size}px;height:{size}px">{svg.replace("<svg ", f"<svg width={size} height={size} ", 1)}</div>'
                             f'</body></html>')
            page.screenshot(path=str(STATIC / name), omit_background=True,
                            clip={"x": 0, "y": 0, "width": size, "height": size})
            page.close()
        browser.close()
    for name in SIZES:
        print(STATIC / name, (STATIC / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
