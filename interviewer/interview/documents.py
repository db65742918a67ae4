"""Read a document a candidate uploads (Markdown, text, Jupyter notebook, PDF) into plain text, within
limits that keep a hostile file from costing the server."""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any


SUFFIXES = (".md", ".markdown", ".txt", ".ipynb", ".pdf")


class DocumentError(Exception):
    """The document cannot be read; the message says what to send instead."""


class DocumentTooLarge(DocumentError):
    """The document is over a reading limit (pages, text, time): a 413 saying which."""


@dataclass(frozen=True)
class PdfLimits:
    """Bounds on reading one PDF, so a hostile file costs seconds, not minutes or gigabytes."""

    max_pages: int = 300
    max_chars: int = 200_000
    max_seconds: float = 20.0


def read_document(filename: str, data: bytes, limits: PdfLimits = PdfLimits()) -> str:
    """The text of an uploaded write-up; notebook outputs are dropped, PDFs read page by page.
    CPU-bound: call it from a worker thread, never on the event loop."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(f"{filename}: unsupported file type '{suffix or 'none'}'; send one of {', '.join(SUFFIXES)}")
    if suffix == ".pdf":
        return _read_pdf(filename, data, limits)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{filename}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    return _read_notebook(filename, text) if suffix == ".ipynb" else text


def _read_notebook(filename: str, text: str) -> str:
    import nbformat

    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several types for broken JSON or schemas
        raise DocumentError(f"{filename}: not a readable Jupyter notebook ({type(exc).__name__})") from exc
    parts: list[str] = []
    for cell in notebook.cells:
        source = cell.get("source", "").strip()
        if not source:
            continue
        # Code is kept (the interviewer asks about it) but fenced; outputs are dropped.
        parts.append(source if cell.cell_type == "markdown" else f"```python\n{source}\n```")
    return "\n\n".join(parts)


def _read_pdf(filename: str, data: bytes, limits: PdfLimits) -> str:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = _pdf_pages_within(reader, filename, limits)
    except LimitReachedError as exc:
        # pypdf's own decompression bounds: a small file that would inflate to gigabytes.
        raise DocumentTooLarge(f"{filename}: the PDF expands beyond what is read ({exc}); send the text or Markdown instead") from exc
    except (PdfReadError, ValueError, KeyError, RecursionError) as exc:
        raise DocumentError(f"{filename}: not a readable PDF ({exc})") from exc
    # PDF extraction pads words with spaces and breaks lines at the page width.
    text = unwrap(re.sub(r"[ \t]{2,}", " ", "\n\n".join(p.strip() for p in pages if p.strip())))
    if not text:
        raise DocumentError(f"{filename}: the PDF has no extractable text (a scan?); send the text or Markdown instead")
    return text


def _pdf_pages_within(reader: Any, filename: str, limits: PdfLimits) -> list[str]:
    """Each page's text, stopping with DocumentTooLarge at the page, text or time limit."""
    started = time.monotonic()
    count = len(reader.pages)
    if count > limits.max_pages:
        raise DocumentTooLarge(f"{filename}: the PDF has {count} pages, over the limit of {limits.max_pages}; send the part to discuss")
    pages: list[str] = []
    chars = 0
    for page in reader.pages:
        pages.append(page.extract_text() or "")
        chars += len(pages[-1])
        if chars > limits.max_chars:
            raise DocumentTooLarge(f"{filename}: the PDF holds over {limits.max_chars} characters of text; send a shorter document")
        if time.monotonic() - started > limits.max_seconds:
            raise DocumentError(f"{filename}: the PDF took over {limits.max_seconds:g} s to read; send the text or Markdown instead")
    return pages


def unwrap(text: str) -> str:
    """Join the lines a PDF broke at the page width, so a sentence is one line again."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        previous = out[-1] if out else ""
        starts_block = stripped[:1] in "#-*•|>`" or bool(re.match(r"\d+[.)]\s", stripped))
        # A long line without final punctuation was wrapped; so was one the next line continues.
        # Column-aligned rows of a plain-text table, and the dashed rule under its header, stay lines.
        aligned = re.compile(r"\S {2,}\S")
        tabular = bool(re.fullmatch(r"[-=\s]+", previous) or (aligned.search(stripped) and aligned.search(previous)))
        continues = bool(previous and stripped and not starts_block and not tabular and previous[-1] not in ".!?:" and (
            stripped[0].islower() or stripped[0].isdigit() or previous[-1] in ",;(-" or len(previous) >= 60
        ))
        if continues:
            out[-1] = f"{previous} {stripped}"
        else:
            out.append(stripped)
    return "\n".join(out)
