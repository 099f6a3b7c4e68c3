"""HTML building blocks of the run report: one self-contained page, no scripts.

Figures are embedded as base64 PNG data URIs and the style sheet is inline, so
the file can be mailed or archived alone and opens without a network.
"""

from __future__ import annotations

import base64
import html
import io

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1180px; margin: 1.5em auto; padding: 0 1em;
       color: #222; line-height: 1.45; background: #fff; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #4477AA; padding-bottom: 0.15em; margin-top: 1.8em; }
p.lead { color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.88em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }
th { background: #eef2f8; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.outside td { background: #fbe9ec; }
tr.inside td.verdict { color: #1b6b2f; }
tr.outside td.verdict { color: #a3152b; font-weight: bold; }
td.src { font-size: 0.85em; color: #444; max-width: 30em; }
figure { margin: 1em 0 2em; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.9em; color: #333; margin-top: 0.3em; }
code { background: #f3f3f3; padding: 0 0.2em; }
details summary { cursor: pointer; font-weight: bold; margin: 0.5em 0; }
.note { background: #fff8e1; border-left: 4px solid #CCBB44; padding: 0.4em 0.8em; }
"""


def esc(x) -> str:
    """HTML-escaped text of ``x``."""
    return html.escape(str(x), quote=True)


def figure_png(fig, dpi: int = 100) -> bytes:
    """PNG bytes of a matplotlib figure (the figure is closed)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def img_tag(png: bytes, alt: str) -> str:
    """An <img> element with the PNG bytes embedded as a base64 data URL."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'


def figure_block(png: bytes, caption: str, fig_id: str) -> str:
    """A <figure> with the embedded PNG, its caption, and the element id ``fig_id``."""
    return (f'<figure id="{esc(fig_id)}">{img_tag(png, caption)}'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def table(head: list[str], rows: list[list], table_id: str | None = None, classes: list[str] | None = None,
          cell_classes: list[str] | None = None) -> str:
    """A table; ``cell_classes`` gives a CSS class per column (``num`` right-aligns)."""
    ident = f' id="{esc(table_id)}"' if table_id else ""
    out = [f"<table{ident}><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        cls = f' class="{esc(classes[i])}"' if classes and classes[i] else ""
        cells = []
        for j, v in enumerate(row):
            cc = cell_classes[j] if cell_classes and j < len(cell_classes) and cell_classes[j] else ""
            cells.append(f'<td class="{cc}">{esc(v)}</td>' if cc else f"<td>{esc(v)}</td>")
        out.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def page(title: str, body: list[str]) -> str:
    """The whole HTML document: inline CSS, ``title``, the ``body`` fragments in order; no scripts."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{esc(title)}</title>"
            f"<style>{CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
