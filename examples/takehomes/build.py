"""Build the .txt, .ipynb and .pdf versions of the example take-homes from their Markdown source.

Usage (from the repository root):

    pip install nbformat fpdf2 pypdf      # dev-time tools, not dependencies of the package
    python examples/takehomes/build.py    # rebuilds every example, then checks the PDF text

Each `<name>.md` in this folder (except README.md) gives `<name>.txt` (plain text),
`<name>.ipynb` (an nbformat v4 notebook: prose in Markdown cells, fenced code blocks as code
cells) and `<name>.pdf` (headings, paragraphs, lists, tables and code, in a Unicode TTF font).
After writing, the PDF text is extracted back with pypdf and every heading and paragraph of the
source must be found in it; the script exits non-zero otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from fpdf import FPDF
from fpdf.fonts import FontFace
from pypdf import PdfReader

HERE = Path(__file__).resolve().parent
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"), Path("/Library/Fonts")]
FONTS = {
    ("sans", ""): "DejaVuSans.ttf",
    ("sans", "B"): "DejaVuSans-Bold.ttf",
    ("sans", "I"): "DejaVuSans-Oblique.ttf",
    ("sans", "BI"): "DejaVuSans-BoldOblique.ttf",
    ("mono", ""): "DejaVuSansMono.ttf",
}
# Outputs of notebook code cells, by example and code-cell number (the Markdown source has none:
# they are what running the notebook printed, and readers of the write-up ignore them).
NOTEBOOK_OUTPUTS = {
    "rl-agent": {2: "random policy: -179.4\n"},
}
# Fixed metadata date so rebuilding an unchanged source gives the same PDF bytes.
PDF_DATE = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


# --- Markdown subset parser -------------------------------------------------------------------

@dataclass
class Block:
    kind: str  # heading, para, list, table, code
    text: str = ""
    level: int = 0
    items: list[tuple[str, str]] = field(default_factory=list)  # list: (marker, text)
    rows: list[list[str]] = field(default_factory=list)  # table: header first


def parse(markdown: str) -> list[Block]:
    """Parse the small Markdown subset the examples use."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            blocks.append(Block("code", "\n".join(lines[i + 1:j])))
            i = j + 1
        elif m := re.match(r"(#{1,6})\s+(.*)", line):
            blocks.append(Block("heading", m.group(2).strip(), level=len(m.group(1))))
            i += 1
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            blocks.append(Block("table", rows=rows))
        elif re.match(r"(-|\d+\.)\s", line):
            items = []
            while i < len(lines) and (m := re.match(r"(-|\d+\.)\s+(.*)", lines[i])):
                text = m.group(2)
                i += 1
                while i < len(lines) and lines[i].startswith("  ") and lines[i].strip():
                    text += " " + lines[i].strip()
                    i += 1
                items.append((m.group(1), text))
            blocks.append(Block("list", items=items))
        else:
            para = [line.strip()]
            i += 1
            while i < len(lines) and lines[i].strip() and not re.match(r"(#|```|\||-\s|\d+\.\s)", lines[i]):
                para.append(lines[i].strip())
                i += 1
            blocks.append(Block("para", " ".join(para)))
    return blocks


def plain(text: str) -> str:
    """Inline Markdown removed: **bold**, *italic*, `code`."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    return re.sub(r"`([^`]+)`", r"\1", text)


# --- Plain text -------------------------------------------------------------------------------

def to_text(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if b.kind == "heading":
            title = plain(b.text)
            underline = {1: "=", 2: "-"}.get(b.level)
            out.append(title + ("\n" + underline * len(title) if underline else ""))
        elif b.kind == "para":
            out.append(plain(b.text))
        elif b.kind == "list":
            out.append("\n".join(f"{'-' if m == '-' else m} {plain(t)}" for m, t in b.items))
        elif b.kind == "table":
            rows = [[plain(c) for c in row] for row in b.rows]
            widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
            fmt = lambda row: "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()  # noqa: E731
            lines = [fmt(rows[0]), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows[1:]]
            out.append("\n".join(lines))
        elif b.kind == "code":
            out.append("\n".join(("    " + ln) if ln else "" for ln in b.text.splitlines()))
    return "\n\n".join(out) + "\n"


# --- Notebook ---------------------------------------------------------------------------------

def to_notebook(markdown: str, outputs: dict[int, str] | None = None) -> nbformat.NotebookNode:
    """Prose between code fences becomes Markdown cells (one per level-2 section), fences code cells."""
    cells = []
    chunk: list[str] = []

    def flush() -> None:
        text = "\n".join(chunk).strip("\n")
        if text.strip():
            cells.append(nbformat.v4.new_markdown_cell(text))
        chunk.clear()

    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            flush()
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            cells.append(nbformat.v4.new_code_cell("\n".join(lines[i + 1:j])))
            i = j + 1
            continue
        if line.startswith("## "):
            flush()
        chunk.append(line)
        i += 1
    flush()
    for n, cell in enumerate(cells):
        cell["id"] = f"cell-{n:02d}"  # stable ids: rebuilding gives the same file
    for number, cell in enumerate(c for c in cells if c.cell_type == "code"):
        cell.execution_count = number + 1
        if outputs and number in outputs:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=outputs[number])]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


# --- PDF --------------------------------------------------------------------------------------

def _font(file: str) -> Path:
    for directory in FONT_DIRS:
        if (directory / file).exists():
            return directory / file
    raise SystemExit(f"font {file} not found in {', '.join(map(str, FONT_DIRS))}")


def _pdf_inline(text: str) -> str:
    """fpdf2's markdown mode: **bold** stays, *italic* becomes __italic__, `code` is unquoted."""
    text = re.sub(r"(?<![\w*])\*(?![\s*])(.+?)(?<![\s*])\*(?![\w*])", r"__\1__", text)
    return re.sub(r"`([^`]+)`", r"\1", text)


def to_pdf(blocks: list[Block], title: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(PDF_DATE)
    pdf.set_title(title)
    pdf.set_author("interviewer project (fictional example)")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    for (family, style), file in FONTS.items():
        pdf.add_font(family, style, str(_font(file)))
    pdf.add_page()
    width = pdf.epw
    for b in blocks:
        if b.kind == "heading":
            size = {1: 17, 2: 13.5, 3: 11.5}.get(b.level, 11)
            pdf.ln(3 if b.level > 1 else 0)
            pdf.set_font("sans", "B", size)
            pdf.multi_cell(width, size * 0.5, plain(b.text), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif b.kind == "para":
            pdf.set_font("sans", "", 10)
            pdf.multi_cell(width, 5, _pdf_inline(b.text), markdown=True, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif b.kind == "list":
            pdf.set_font("sans", "", 10)
            for marker, text in b.items:
                bullet = "•" if marker == "-" else marker
                pdf.set_x(pdf.l_margin + 3)
                pdf.cell(6, 5, bullet)
                pdf.multi_cell(width - 9, 5, _pdf_inline(text), markdown=True, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(0.8)
            pdf.ln(1.5)
        elif b.kind == "table":
            pdf.set_font("sans", "", 9)
            with pdf.table(
                text_align="LEFT", line_height=4.8, first_row_as_headings=True,
                headings_style=FontFace(emphasis="BOLD"), padding=1.2,
            ) as table:
                for row in b.rows:
                    cells = table.row()
                    for cell in row:
                        cells.cell(plain(cell))
            pdf.ln(3)
        elif b.kind == "code":
            pdf.set_font("mono", "", 8)
            pdf.set_fill_color(244, 244, 244)
            pdf.multi_cell(width, 3.9, b.text, fill=True, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


# --- Check ------------------------------------------------------------------------------------

def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def check_pdf(pdf_path: Path, blocks: list[Block]) -> list[str]:
    """Headings, paragraphs and list items of the source that the PDF text does not contain."""
    extracted = _squash(" ".join(page.extract_text() or "" for page in PdfReader(pdf_path).pages))
    expected = [plain(b.text) for b in blocks if b.kind in ("heading", "para")]
    expected += [plain(t) for b in blocks if b.kind == "list" for _, t in b.items]
    return [text for text in expected if _squash(text) not in extracted]


def build(source: Path) -> list[str]:
    markdown = source.read_text(encoding="utf-8")
    blocks = parse(markdown)
    title = next((plain(b.text) for b in blocks if b.kind == "heading"), source.stem)
    source.with_suffix(".txt").write_text(to_text(blocks), encoding="utf-8")
    nbformat.write(to_notebook(markdown, NOTEBOOK_OUTPUTS.get(source.stem)), source.with_suffix(".ipynb"))
    pdf_path = source.with_suffix(".pdf")
    pdf_path.write_bytes(to_pdf(blocks, title))
    missing = check_pdf(pdf_path, blocks)
    size_kb = pdf_path.stat().st_size / 1024
    words = len(re.findall(r"\S+", to_text(blocks)))
    print(f"{source.name}: {words} words -> .txt .ipynb .pdf ({size_kb:.0f} KB); "
          f"{'PDF text OK' if not missing else f'{len(missing)} passages missing from the PDF text'}")
    return [f"{pdf_path.name}: {text[:90]}" for text in missing]


def main() -> int:
    sources = sorted(p for p in HERE.glob("*.md") if p.name != "README.md")
    problems = [problem for source in sources for problem in build(source)]
    for problem in problems:
        print("  missing:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
