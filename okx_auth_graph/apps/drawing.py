"""The graph's drawing for the docs: the nodes and labelled edges Studio shows, as a PNG.

Studio draws the compiled graph from `get_graph()`; this draws the same
nodes and edges, with the same labels, offline (Graphviz's `dot`, no network
or browser). The PNG carries the SHA-256 of the DOT text it was rendered
from, so a test can tell a stale picture from the code's own drawing:

    python -m okx_auth_graph.apps.drawing docs/images/graph.png
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import struct
import subprocess
import zlib
from collections.abc import Sequence
from pathlib import Path

from langchain_core.runnables.graph import Graph
from langgraph.graph import END, START

SOURCE_KEY = "okx-auth-graph:dot-sha256"
"""The PNG text chunk that names the DOT text the picture was rendered from."""

_IEND = b"IEND"


SIDE_PATHS: dict[str, tuple[str, ...]] = {
    "The other entries (status, logout, the okx-auth binary)": (
        "report_status", "logout", "install_binary", "report_install_status",
        "post_remove_question", "confirm_remove", "remove_binary",
    ),
    "Recovery (a caller's error; Step 0.2.a)": (
        "recover", "repair_binary", "ask_api_key_remedy", "drop_api_key_profile",
    ),
}
"""The steps off the skill's spine, boxed apart so the spine reads top to bottom."""


def _name(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def graph_dot(graph: Graph) -> str:
    """`graph` as DOT: the spine top to bottom, the side paths boxed, labels on the edges.

    Conditional edges (a router's or a `Command`'s) are dashed, as in Studio's
    drawing; the start and the end are small ovals.
    """
    lines = [
        "digraph okx_auth {",
        '  graph [rankdir=TB, fontname="Helvetica", nodesep=0.35, ranksep=0.45];',
        '  node [shape=box, style="rounded,filled", fillcolor="#f2f0ff", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    boxed = {node for nodes in SIDE_PATHS.values() for node in nodes}
    for node in graph.nodes.values():
        if node.id in boxed:
            continue
        shape = ' shape=oval, fillcolor="#ffffff"' if node.id in (START, END) else ""
        lines.append(f"  {_name(node.id)} [label={_name(node.name)}{shape}];")
    for number, (title, nodes) in enumerate(SIDE_PATHS.items()):
        lines.append(f"  subgraph cluster_{number} {{")
        lines.append(f'    label={_name(title)}; style="rounded,dashed"; color="#9990cc";')
        lines.extend(f"    {_name(node)};" for node in nodes if node in graph.nodes)
        lines.append("  }")
    for edge in graph.edges:
        style = ["style=dashed"] if edge.conditional else []
        if edge.data is not None:
            style.append(f"label={_name(' ' + str(edge.data) + ' ')}")
        attributes = f" [{', '.join(style)}]" if style else ""
        lines.append(f"  {_name(edge.source)} -> {_name(edge.target)}{attributes};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def source_digest(dot: str) -> str:
    """The SHA-256 a PNG rendered from `dot` carries."""
    return hashlib.sha256(dot.encode()).hexdigest()


def render_png(dot: str) -> bytes:
    """`dot` rendered by Graphviz, with the digest of its source in a text chunk."""
    executable = shutil.which("dot")
    if executable is None:
        raise RuntimeError("Graphviz's `dot` is not installed (Debian: apt-get install graphviz)")
    png = subprocess.run(
        [executable, "-Tpng", "-Gdpi=96"], input=dot.encode(), capture_output=True, check=True
    ).stdout
    return _with_text_chunk(png, SOURCE_KEY, source_digest(dot))


def png_text(png: bytes) -> dict[str, str]:
    """The text chunks of a PNG, by keyword."""
    found: dict[str, str] = {}
    position = 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        kind = png[position + 4:position + 8]
        data = png[position + 8:position + 8 + length]
        if kind == b"tEXt":
            keyword, _, text = data.partition(b"\0")
            found[keyword.decode("latin-1")] = text.decode("latin-1")
        position += 12 + length
    return found


def _with_text_chunk(png: bytes, keyword: str, text: str) -> bytes:
    """`png` with one more tEXt chunk, placed before its end."""
    data = keyword.encode("latin-1") + b"\0" + text.encode("latin-1")
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF)
    end = png.rindex(_IEND) - 4
    return png[:end] + chunk + png[end:]


def main(argv: Sequence[str] | None = None) -> int:
    """Write the auth graph's drawing to the PNG path given (default `docs/images/graph.png`)."""
    from okx_auth_graph.builder import build_auth_graph

    parser = argparse.ArgumentParser(description="Draw the auth graph as a PNG.")
    parser.add_argument("png", type=Path, nargs="?", default=Path("docs/images/graph.png"))
    target: Path = parser.parse_args(argv).png
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(render_png(graph_dot(build_auth_graph().get_graph())))
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
