"""A lineage graph as a static picture: matplotlib only, so it renders offline, in JupyterLab and in the HTML.

Artifacts are rounded boxes (``Type #id``), executions square boxes (the component id and ``#id``); an arrow
goes from an artifact into the execution that read it (INPUT event) and from an execution to what it wrote
(OUTPUT event). Columns are the longest path from a source, so data flow from left to right. Graphviz would
lay it out better, but its ``dot`` program is not part of the course's environment; the course's graphs have
a few dozen nodes, which a layered layout draws legibly.
"""

from __future__ import annotations

from collections import defaultdict

from ml_metadata.proto import metadata_store_pb2

from utils.lineage import component_id, is_cache_hit

ARTIFACT_COLOURS = {"Examples": "#bbdefb", "Schema": "#c8e6c9", "ExampleStatistics": "#c8e6c9",
                    "ExampleAnomalies": "#c8e6c9", "TransformGraph": "#ffe0b2", "HyperParameters": "#ffe0b2",
                    "Model": "#ffcc80", "ModelBlessing": "#f8bbd0", "ModelEvaluation": "#f8bbd0",
                    "InfraBlessing": "#f8bbd0", "PushedModel": "#e1bee7"}
EXECUTION_COLOUR = "#eeeeee"


def draw(graph: metadata_store_pb2.LineageGraph, title: str = "", highlight=(), notes: dict | None = None):
    """The graph as a matplotlib figure. ``highlight``: artifact ids drawn with a thick border (where the
    question starts); ``notes``: {artifact id: text} added under an artifact's name (e.g. its span)."""
    import matplotlib.pyplot as plt  # not at the top: loaded on first use (utils/lazy_imports.py)
    from matplotlib.patches import FancyBboxPatch

    if not graph.artifacts:
        raise ValueError("the lineage graph is empty: did the walk start from an artifact id in this store?")
    types = {t.id: t.name for t in graph.artifact_types}
    nodes = {("a", a.id): f"{types.get(a.type_id, 'Artifact')} #{a.id}" for a in graph.artifacts}
    nodes.update({("e", e.id): f"{component_id(e) or 'execution'}\n#{e.id}"
                              + (" (cache hit)" if is_cache_hit(e) else "") for e in graph.executions})
    for artifact_id, text in (notes or {}).items():
        if ("a", artifact_id) in nodes:
            nodes[("a", artifact_id)] += f"\n{text}"
    edges = [(("a", ev.artifact_id), ("e", ev.execution_id)) if ev.type == metadata_store_pb2.Event.INPUT
             else (("e", ev.execution_id), ("a", ev.artifact_id)) for ev in graph.events]
    edges = sorted({(a, b) for a, b in edges if a in nodes and b in nodes})
    position = _layers(nodes, edges)
    columns = max(x for x, _ in position.values()) + 1
    rows = max(y for _, y in position.values()) + 1
    fig, ax = plt.subplots(figsize=(max(6.0, 2.1 * columns), max(2.5, 0.85 * rows + 0.6)))
    width, height = 1.6, 0.62
    for a, b in edges:
        (x1, y1), (x2, y2) = position[a], position[b]
        ax.annotate("", xy=(x2 * 2.1 - width / 2, -y2), xytext=(x1 * 2.1 + width / 2, -y1),
                    arrowprops={"arrowstyle": "->", "color": "#607d8b", "lw": 0.9,
                                "shrinkA": 0, "shrinkB": 0})
    colours = {("a", a.id): ARTIFACT_COLOURS.get(types.get(a.type_id), "#e0e0e0") for a in graph.artifacts}
    for node, label in nodes.items():
        x, y = position[node]
        artifact = node[0] == "a"
        box = FancyBboxPatch((x * 2.1 - width / 2, -y - height / 2), width, height,
                             boxstyle="round,pad=0.02,rounding_size=0.2" if artifact else "square,pad=0.02",
                             facecolor=colours.get(node, EXECUTION_COLOUR),
                             edgecolor="black", linewidth=2.2 if node[1] in highlight and artifact else 0.8)
        ax.add_patch(box)
        ax.text(x * 2.1, -y, label, ha="center", va="center", fontsize=7)
    ax.set_xlim(-width, (columns - 1) * 2.1 + width)
    ax.set_ylim(-(rows - 1) - 0.7, 0.7)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    plt.close(fig)  # shown once, where the notebook displays it
    return fig


def _layers(nodes: dict, edges: list) -> dict:
    """node -> (column, row): the column is the longest path from a node without inputs."""
    parents = defaultdict(list)
    for a, b in edges:
        parents[b].append(a)
    depth: dict = {}

    def column(node, seen=()):
        if node not in depth:
            if node in seen:  # a cycle cannot happen in lineage; stop rather than recurse forever
                return 0
            depth[node] = 1 + max((column(p, (*seen, node)) for p in parents[node]), default=-1)
        return depth[node]

    for node in nodes:
        column(node)
    position, used = {}, defaultdict(int)
    for node in sorted(nodes, key=lambda n: (depth[n], n[0] == "e", n[1])):
        position[node] = (depth[node], used[depth[node]])
        used[depth[node]] += 1
    return position
