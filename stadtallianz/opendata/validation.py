"""The catalogue checked against GovData's DCAT-AP.de 3.0 SHACL shapes (docs/standards.md,
"Open data: the DCAT-AP.de catalogue").

`check_catalogue(shapes_dir)` describes every published dataset (opendata.dcat), adds the
slices of the official vocabularies the shapes look terms up in (opendata/data/vocabularies:
GovData's validator loads the whole vocabularies from the web, which these machines cannot
reach) and validates with pyshacl against the shapes in `shapes_dir` and GovData's conventions
that the shapes leave out (opendata/data/shapes). `record_check()` stores the outcome as a
ValidationRun: the nightly job `validate_catalogue`, whose newest run the impact dashboard and
the catalogue page show.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

DATA = Path(__file__).resolve().parent / "data"
VOCABULARIES = DATA / "vocabularies"
CONVENTIONS = DATA / "shapes"
SHACL = "http://www.w3.org/ns/shacl#"


class ShapesMissing(Exception):
    """The folder of the shapes is not there or holds no shapes."""


@dataclass
class Report:
    datasets: int
    violations: int = 0
    warnings: int = 0
    infos: int = 0
    # Grouped: one entry per (severity, shape, path, message) with the number of nodes and an
    # example node; what to fix, not every node.
    findings: list[dict] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return self.violations == 0


def shape_files(shapes_dir) -> list[Path]:
    """The shapes of a folder as GovData's validator loads them (every Turtle file but the
    example data)."""
    folder = Path(shapes_dir)
    if not folder.is_dir():
        raise ShapesMissing(f"No folder {folder}.")
    files = sorted(p for p in folder.glob("*.ttl") if not p.name.startswith("example"))
    if not files:
        raise ShapesMissing(f"No shapes (*.ttl) in {folder}.")
    return files


def load(paths):
    from rdflib import Graph

    graph = Graph()
    for path in paths:
        graph.parse(str(path), format="turtle")
    return graph


def vocabulary_slices():
    return load(sorted(VOCABULARIES.glob("*.ttl")))


def shapes_graph(shapes_dir, *, conventions: bool = True):
    files = shape_files(shapes_dir)
    if conventions:
        files += sorted(CONVENTIONS.glob("*.ttl"))
    return load(files)


def validate_graph(data, shapes, *, vocabularies: bool = True) -> Report:
    """Validate an rdflib graph of the catalogue (with the vocabulary slices added)."""
    from pyshacl import validate
    from rdflib import RDF, BNode, Namespace, URIRef

    from . import dcat

    sh = Namespace(SHACL)
    names = dcat.to_graph([])  # our prefixes (dct:, dcat:, …) for the paths
    graph = data + vocabulary_slices() if vocabularies else data
    _conforms, results, _text = validate(graph, shacl_graph=shapes, inference="none",
                                         abort_on_first=False, allow_warnings=True,
                                         advanced=True)
    datasets = len(set(data.subjects(RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset"))))
    report = Report(datasets=datasets)
    groups: Counter = Counter()
    examples: dict = {}
    for result in results.subjects(RDF.type, sh.ValidationResult):
        severity = str(results.value(result, sh.resultSeverity)).rpartition("#")[2]
        shape = results.value(result, sh.sourceShape)
        path = results.value(result, sh.resultPath)
        outer = shapes.value(predicate=sh.property, object=shape) if isinstance(
            shape, BNode) else None
        if outer is not None and shapes.value(outer, sh.path) is not None:
            # The inner shape of a controlled-vocabulary check (the term's skos:inScheme):
            # name the outer shape and the property that holds the term.
            shape, path = outer, shapes.value(outer, sh.path)
        message = results.value(result, sh.resultMessage)
        key = (severity, _short(shapes, shape), _short(names, path), str(message or ""))
        groups[key] += 1
        examples.setdefault(key, str(results.value(result, sh.focusNode)))
        if severity == "Violation":
            report.violations += 1
        elif severity == "Warning":
            report.warnings += 1
        else:
            report.infos += 1
    for key, count in sorted(groups.items(), key=lambda item: (ORDER.get(item[0][0], 3),
                                                                -item[1], item[0])):
        severity, shape, path, message = key
        report.findings.append({"severity": severity, "shape": shape, "path": path,
                                "message": message, "count": count,
                                "example": examples[key]})
    return report


def _short(graph, term) -> str:
    from rdflib import BNode

    if term is None:
        return ""
    if isinstance(term, BNode):
        return "(blank node)"
    try:
        return graph.namespace_manager.normalizeUri(term)
    except Exception:  # noqa: BLE001 - a path list or an IRI without a prefix
        return str(term)


# Datasets validated at a time: pyshacl holds a chunk's graph (about 40 triples a dataset) and
# its report in memory, so the nightly check of 10,000 datasets stays within a few hundred MB.
CHUNK = 500
ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def check_catalogue(shapes_dir, *, queryset=None, chunk: int = CHUNK) -> Report:
    """The whole published catalogue against the shapes in `shapes_dir`, `chunk` datasets at a
    time (the catalogue itself with the first), the findings of all chunks grouped together."""
    from . import dcat
    from .models import Dataset

    shapes = shapes_graph(shapes_dir)
    published = Dataset.objects.published() if queryset is None else queryset
    keys = list(published.order_by("pk").values_list("pk", flat=True))
    total = Report(datasets=0)
    merged: dict = {}
    for start in range(0, max(len(keys), 1), chunk):
        nodes = dcat.whole_catalogue(Dataset.objects.filter(pk__in=keys[start:start + chunk]))
        if start:
            nodes = [node for node in nodes if "dcat:Catalog" not in node.types]
        report = validate_graph(dcat.to_graph(nodes), shapes)
        total.datasets += report.datasets
        total.violations += report.violations
        total.warnings += report.warnings
        total.infos += report.infos
        for finding in report.findings:
            key = (finding["severity"], finding["shape"], finding["path"], finding["message"])
            if key in merged:
                merged[key]["count"] += finding["count"]
            else:
                merged[key] = dict(finding)
    total.findings = sorted(merged.values(), key=lambda f: (
        ORDER.get(f["severity"], 3), -f["count"], f["shape"], f["path"], f["message"]))
    return total


def record_check(shapes_dir=None):
    """Check the catalogue against settings.DCAT_SHACL_DIR and store a ValidationRun; None
    (nothing stored) when no folder is configured."""
    from .models import ValidationRun

    shapes_dir = settings.DCAT_SHACL_DIR if shapes_dir is None else shapes_dir
    if not shapes_dir:
        return None
    report = check_catalogue(shapes_dir)
    return ValidationRun.objects.create(
        checked_at=timezone.now(), datasets=report.datasets, violations=report.violations,
        warnings=report.warnings, findings=report.findings)
