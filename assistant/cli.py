"""``license-assistant``: a thin typer CLI over the library API."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .config import get_settings
from .corpus import CorpusError, cached_license

app = typer.Typer(help="Offline bilingual assistant for a Chinese value-added telecom business license.",
                  no_args_is_help=True, add_completion=False)
console = Console()


def _license():
    settings = get_settings()
    try:
        return cached_license(settings.corpus_dir, settings.document)
    except (CorpusError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


@app.command()
def clauses(
    clause_id: Annotated[str | None, typer.Argument(help="Show only this clause, e.g. special.12")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the license's clauses, Chinese original beside the English translation."""
    lic = _license()
    selected = lic.clauses
    if clause_id is not None:
        selected = [c for c in lic.clauses if c.id == clause_id]
        if not selected:
            console.print(f"[red]error:[/red] no clause {clause_id!r}; ids: {', '.join(c.id for c in lic.clauses)}")
            raise typer.Exit(2)
    if as_json:
        rows = [c.model_dump(include={"id", "section", "label_zh", "label_en", "text_zh", "text_en", "spans"})
                for c in selected]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(show_lines=True, title=f"{lic.fields.license_number} · {lic.doc_id}")
    table.add_column("clause", style="bold", no_wrap=True)
    table.add_column("中文", overflow="fold")
    table.add_column("English", overflow="fold")
    for c in selected:
        table.add_row(f"{c.id}\n{c.label_zh}\n{c.label_en}", c.text_zh, c.text_en or "[dim](no translation)[/dim]")
    console.print(table)


@app.callback()
def main() -> None:
    """Ask questions about the license, browse its clauses, build the index, run evaluations."""
