"""Real Dutch documents from Debian packages, shared by the benchmarks.

`make bench` installs the packages; each function names the missing one when it is absent.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from assistant.evaluation import DEBIAN_DISTRACTORS

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "bench"

LILYPOND_PDFS = DEBIAN_DISTRACTORS  # the evaluation's distractors: the two LilyPond manuals
DEBIAN_FAQ_PDF_GZ = Path("/usr/share/doc/debian/FAQ/debian-faq.nl.pdf.gz")
GIMP_HELP = Path("/usr/share/gimp/2.0/help/nl")
DEBIAN_EDU_HTML = Path("/usr/share/doc/debian-edu-doc-nl/debian-edu-bookworm-manual.html")


def _require(path: Path, package: str) -> Path:
    if not path.exists():
        raise SystemExit(f"{path} is missing: install it with `apt-get install {package}`")
    return path


def dutch_pdfs() -> list[Path]:
    """The LilyPond manuals and the Debian FAQ (unpacked into the bench cache), as PDFs."""
    pdfs = [_require(p, "lilypond-doc-pdf-nl") for p in LILYPOND_PDFS]
    faq = CACHE / "pdf" / "debian-faq.nl.pdf"
    if not faq.exists():
        faq.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(_require(DEBIAN_FAQ_PDF_GZ, "debian-faq-nl")) as src, faq.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    return [*pdfs, faq]


def dutch_html() -> list[Path]:
    """GIMP's Dutch manual (one HTML page per topic) and the Debian Edu manual."""
    pages = sorted(_require(GIMP_HELP, "gimp-help-nl").glob("*.html"))
    return [*pages, _require(DEBIAN_EDU_HTML, "debian-edu-doc-nl")]
