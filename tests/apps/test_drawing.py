"""The drawing in the docs is the code's own: the same nodes and labelled edges as Studio's.

`docs/images/graph.png` carries the digest of the DOT text it was rendered
from; a change to the graph that is not redrawn
(`python -m okx_auth_graph.apps.drawing`) fails here, and the DOT text itself
is a snapshot, so a change of shape shows up in review as text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from okx_auth_graph import build_auth_graph
from okx_auth_graph.apps.drawing import (
    SIDE_PATHS,
    SOURCE_KEY,
    graph_dot,
    png_text,
    render_png,
    source_digest,
)

PNG = Path(__file__).resolve().parents[2] / "docs" / "images" / "graph.png"
DRAWN = build_auth_graph().get_graph()
DOT = graph_dot(DRAWN)


def test_the_dot_text_is_the_graphs_drawing(snapshot: SnapshotAssertion) -> None:
    assert snapshot == DOT


def test_every_node_and_edge_of_studios_drawing_is_drawn_with_its_label() -> None:
    for node in DRAWN.nodes:
        assert f'"{node}"' in DOT
    for edge in DRAWN.edges:
        label = "" if edge.data is None else f'label=" {edge.data} "'
        assert f'"{edge.source}" -> "{edge.target}"' in DOT
        assert label in DOT


def test_the_side_paths_are_steps_of_the_graph_off_the_spine() -> None:
    boxed = [node for nodes in SIDE_PATHS.values() for node in nodes]
    assert len(boxed) == len(set(boxed))
    assert set(boxed) <= set(DRAWN.nodes)
    assert not set(boxed) & {"preflight", "site_check", "pre_login_gate", "login", "verify"}


def test_the_picture_in_the_docs_was_rendered_from_todays_drawing() -> None:
    assert png_text(PNG.read_bytes()).get(SOURCE_KEY) == source_digest(DOT), (
        "docs/images/graph.png is stale: python -m okx_auth_graph.apps.drawing"
    )


@pytest.mark.integration  # runs Graphviz's `dot`
def test_rendering_is_a_png_that_names_its_source() -> None:
    png = render_png(DOT)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png_text(png)[SOURCE_KEY] == source_digest(DOT)
