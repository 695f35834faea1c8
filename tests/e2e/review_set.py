"""The review set: a small copy of the browser tests' screenshots for a reviewer who does not
run anything (issue 19). `make review-screenshots` runs the browser tests that take them and
then this, which copies the chosen ones from test-artifacts/ (not committed) to
docs/screenshots/ (committed) as narrow JPEGs: each changed page in fi, sv and en, the
printed pages and the PDFs' first pages.

    .venv/bin/python -m tests.e2e.review_set
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "test-artifacts"
TARGET = ROOT / "docs" / "screenshots"
WIDTH = 640  # px: readable, small in the repository
MAX_HEIGHT = 3200  # px after scaling: a long page is cut here
LANGS = ("fi", "sv", "en")

CHOSEN = [
    *(f"municipalities-{lang}.png" for lang in LANGS),
    *(f"dashboard-portfolio-{lang}-desktop.png" for lang in LANGS),
    *(f"dashboard-portfolio-{lang}-360px.png" for lang in LANGS),
    *(f"charts-glance-{lang}-1280-municipality.png" for lang in LANGS),
    *(f"charts-glance-{lang}-360-dashboard.png" for lang in LANGS),
    *(f"brief-pdf-418-{lang}-page1.png" for lang in LANGS),
    *(f"print-municipality-{lang}-page1.png" for lang in LANGS),
    *(f"print-portfolio-{lang}-page1.png" for lang in LANGS),
    *(f"print-pilot-{lang}-page1.png" for lang in LANGS),
    *(f"joint-proposal-{lang}.png" for lang in LANGS),
    *(f"profile-{lang}.png" for lang in LANGS),
    "directory-search-fi.png",
    "participant-picker-fi.png",
    "phone-dashboard-fi.png",
    "phone-pilot-list-fi.png",
    "monthly-report-fi.png",
    "monthly-report-sv-390.png",
    "feedback-phone-sv.png",
    "feedback-moderation-fi.png",
]


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    missing = []
    for name in CHOSEN:
        source = SOURCE / name
        if not source.exists():
            missing.append(name)
            continue
        with Image.open(source) as image:
            image = image.convert("RGB")
            height = round(image.height * WIDTH / image.width)
            small = image.resize((WIDTH, height), Image.Resampling.LANCZOS)
            if height > MAX_HEIGHT:
                small = small.crop((0, 0, WIDTH, MAX_HEIGHT))
            small.save(TARGET / (source.stem + ".jpg"), "JPEG", quality=58, optimize=True)
    print(f"{len(CHOSEN) - len(missing)} screenshots in {TARGET.relative_to(ROOT)}")
    if missing:
        print("missing (run the browser tests first):", ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
