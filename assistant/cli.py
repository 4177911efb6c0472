"""``license-assistant``: a thin typer CLI over the library API."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from .errors import ExpectedError

if TYPE_CHECKING:  # settings and corpus load when a command runs: `--help` needs neither (pydantic-settings)
    from .config import Settings
    from .corpus import License

#: Commands whose modules import heavy libraries (FastAPI and uvicorn; matplotlib): name -> (module, function,
#: the one-line summary ``--help`` lists, so that listing them imports nothing).
LAZY_COMMANDS = {
    "eval": ("assistant.cli_eval", "eval_command",
             "Answer every question in a file, score against the known answers and write the report."),
    "serve": ("assistant.server", "serve_command",
              "Serve the JSON API, Slack events and Mattermost slash commands (uvicorn)."),
}


class LazyGroup(TyperGroup):
    """Imports a lazy command's module only when that command runs (click's "lazily loading subcommands");
    while the group's help is printed, a lazy command is a stand-in carrying its summary."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in LAZY_COMMANDS if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, function, summary = LAZY_COMMANDS[cmd_name]
            if self._listing:
                return typer.core.TyperCommand(cmd_name, help=summary)
            single = typer.Typer(add_completion=False)
            single.command(cmd_name)(_one_line_errors(getattr(import_module(module), function)))
            self.commands[cmd_name] = typer.main.get_command(single)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(cls=LazyGroup, help="Offline bilingual assistant for a Chinese value-added telecom business "
                  "license.", no_args_is_help=True, add_completion=False)
console = Console()
Command = TypeVar("Command", bound=Callable[..., None])


def _one_line_errors(command: Command) -> Command:
    """Expected failures (a damaged corpus, an unusable index) print their message, which names the file and
    the fix, as one line and exit 2 — no traceback."""

    @functools.wraps(command)
    def run(*args: object, **kwargs: object) -> None:
        try:
            command(*args, **kwargs)
        except ExpectedError as exc:
            console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(2) from None

    return run  # type: ignore[return-value]


def _settings() -> Settings:
    """The settings, read from the environment when a command first needs them."""
    from .config import get_settings

    return get_settings()


def _license() -> License:
    from .corpus import cached_license

    settings = _settings()
    return cached_license(settings.corpus_dir, settings.document)


@app.command()
@_one_line_errors
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


@app.command()
@_one_line_errors
def norms(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    kind: Annotated[str | None, typer.Option(help="Only norms of this kind (duty, prohibition, …).")] = None,
) -> None:
    """The license compiled into norms: grants, exclusions, duties, prohibitions, approvals, periods."""
    from .reason.norms import compile_norms

    selected = [n for n in compile_norms(_license()) if kind is None or n.kind == kind]
    if as_json:
        typer.echo(json.dumps([n.model_dump(mode="json") for n in selected], ensure_ascii=False, indent=2))
        return
    table = Table(show_lines=True, title=f"{len(selected)} norms")
    for column in ("norm", "kind", "condition", "act", "period (anchor)", "to"):
        table.add_column(column, overflow="fold")
    for n in selected:  # plain Text cells: the license's words are no markup (parsing 700 cells costs 30 ms)
        period = "" if n.period is None else n.period.text + (f" ({n.period.anchor_zh or n.period.anchor})"
                                                              if n.period.anchor != "none" else "")
        table.add_row(*map(Text, (n.id, n.kind, n.condition_zh or "", n.act_zh, period, n.recipient_zh or "")))
    console.print(table)


_BADGES = {"yes": ("✅", "green"), "no": ("❌", "red"), "conditional": ("⚠️", "yellow"),
           "not_stated": ("❔", "magenta"), "info": ("ℹ️", "cyan")}


@app.command()
@_one_line_errors
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="ISO date the answer is for (default today).")] = None,
    retriever: Annotated[str | None, typer.Option(help="hybrid, dense or bm25 (default from settings).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer contract as JSON.")] = False,
) -> None:
    """Answer a question about the license, citing the clauses it rests on."""
    from .engine import answer

    if retriever not in (None, "hybrid", "dense", "bm25"):
        console.print(f"[red]error:[/red] --retriever must be hybrid, dense or bm25, not {retriever!r}")
        raise typer.Exit(2)
    result = answer(question, as_of, retriever=retriever)  # type: ignore[arg-type]
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        emoji, colour = _BADGES[result.verdict]
        console.print(f"{emoji} [bold {colour}]{result.verdict}[/]  · as of {result.as_of} · "
                      f"confidence {result.confidence:.2f}")
        console.print(result.answer, markup=False)
        for c in result.citations:
            table = Table(title=f"{c.clause_id} · {c.label_zh} · {c.label_en}", show_header=False, expand=True)
            table.add_column(overflow="fold")
            table.add_column(overflow="fold")
            zh = escape(c.text_zh)
            if c.quote:
                zh = zh.replace(escape(c.quote), f"[reverse]{escape(c.quote)}[/reverse]")
            table.add_row(zh, escape(c.text_en))
            console.print(table)
        if result.related:
            console.print("related (not relied on): " + ", ".join(r.clause_id for r in result.related), style="dim")
    if result.error:
        raise typer.Exit(1)


@app.command("index")
@_one_line_errors
def build_index(
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="Build a new generation (running servers switch to it); an unreadable store is moved "
        "aside to index/corrupt-<timestamp>/ first.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Build (or reuse) the Chroma index and report model, dims, clauses, documents, fingerprint, seconds."""
    from .embeddings import load_embeddings
    from .index import open_index
    from .warm import keep_state

    settings, lic = _settings(), _license()
    embeddings = load_embeddings(settings)
    store, report = open_index(lic, settings, embeddings, rebuild=rebuild, progress=not as_json)
    keep_state(lic, settings, embeddings, store, report)  # what answering reads, so the next ask starts fast
    from .engine import get_assistant

    get_assistant(settings).warm_up()  # …and the norm vectors and the field reader, kept in the data directory
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    table = Table(show_header=False, title="Index")
    for key, value in report.model_dump().items():
        table.add_row(key, str(value))
    console.print(table)


model_app = typer.Typer(help="The embedding model.", no_args_is_help=True)
app.add_typer(model_app, name="model")


@model_app.command("path")
def model_path_command() -> None:
    """Print the local model directory in use (load it with SentenceTransformer(path))."""
    from .embeddings import model_path

    typer.echo(model_path(_settings()))


@app.callback()
def main() -> None:
    """Ask questions about the license, browse its clauses, build the index, run evaluations."""
