"""The execution appendix: what each executed chapter records about its run (processor,
numerics, parameters, runs trained or read from the cache).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd


def processor_name(metadata: Mapping[str, Any]) -> str:
    """The processor an executed notebook records (``metadata["pairlib"]["numerics"]``, written by
    the build), short, with the numerics mode its kernels ran in (:mod:`pairlib.numerics`):
    "Intel Xeon, native numerics"; "not recorded" for a notebook without it."""
    numerics = metadata.get("pairlib", {}).get("numerics")
    if not numerics:
        return "not recorded"
    parts = str(numerics.get("cpu", "")).split(" / ")
    model = parts[1] if len(parts) > 1 else parts[0]
    name = " ".join(model.replace("(R)", "").replace("(TM)", "").replace(" Processor", "").split())
    return f"{name}, {numerics.get('mode', 'native')} numerics"


def execution_statistics(
    chapters: Iterable[tuple[str, Path]], results: Mapping[str, pd.DataFrame]
) -> pd.DataFrame:
    """One row per executed chapter: when it ran, on which processor, how long, and what its
    results table says it trained (runs = rounds summed over its rows; training = their
    ``seconds_per_run``). Runs on another processor differ in the last bits, so a figure that
    two chapters share may differ slightly where they were executed on different machines.

    Why here and not at a chapter's end: timings are facts about one machine and one cache,
    not findings, so the chapters carry none and this appendix gathers them from papermill's
    record in each executed notebook (``chapters`` are (name, notebook path) pairs)."""
    import nbformat

    rows = []
    for name, path in chapters:
        if not path.is_file():
            continue
        metadata = nbformat.read(path, as_version=4).metadata
        record = metadata.get("papermill", {})
        table = results.get(name, pd.DataFrame())
        runs = int(table["rounds"].sum()) if "rounds" in table else None
        training = (
            float((table["seconds_per_run"] * table["rounds"]).sum()) / 60
            if {"rounds", "seconds_per_run"} <= set(table.columns)
            else None
        )
        rows.append(
            {
                "chapter": name.replace("_", " "),
                "executed (UTC)": str(record.get("end_time", ""))[:16].replace("T", " "),
                "processor": processor_name(metadata),
                "execution (min)": record["duration"] / 60 if record.get("duration") else None,
                "runs": runs,
                "training (min)": training,
            }
        )
    columns = ["chapter", "executed (UTC)", "processor", "execution (min)", "runs", "training (min)"]
    return pd.DataFrame(rows, columns=columns).astype({"runs": "Int64"})


def chapter_parameters_table(chapters: Iterable[tuple[str, Path]]) -> pd.DataFrame:
    """One row per chapter parameter: its value in the executed notebook and what it means
    (the comment beside it in the chapter's parameters cell).

    Why an appendix table: the parameters cells are code, which the page does not show, yet a
    reader should know every setting a chapter ran with (the values papermill injected, if
    any, override the cell's defaults)."""
    import io
    import tokenize

    import nbformat

    rows = []
    for name, path in chapters:
        if not path.is_file():
            continue
        nb = nbformat.read(path, as_version=4)
        cell = next((c for c in nb.cells if "parameters" in c.metadata.get("tags", [])), None)
        if cell is None:
            continue
        given = nb.metadata.get("pairlib", {}).get("parameters", {})
        comments = {
            token.start[0]: token.string.lstrip("# ").strip()
            for token in tokenize.generate_tokens(io.StringIO(cell.source).readline)
            if token.type == tokenize.COMMENT
        }
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                key = node.targets[0].id
                value = given.get(key, ast.literal_eval(node.value))
                rows.append(
                    {
                        "chapter": name.replace("_", " "),
                        "parameter": key,
                        "value": repr(value) if isinstance(value, str) else str(value),
                        "meaning": comments.get(node.lineno, ""),
                    }
                )
    return pd.DataFrame(rows, columns=["chapter", "parameter", "value", "meaning"])
