"""`policy-classify`: the command line, a thin layer over the library.

Each command parses its arguments and calls one library function; errors in
the input become one line on stderr and exit status 1.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click
from tqdm import tqdm

from classify.analysis import VALUES
from classify.annotation import QUEUES
from classify.project import find_project
from classify import recipes
from classify.taxonomy import load_taxonomy

PROJECT = find_project()

# Commands import the library inside their bodies, so `--help` starts without
# pandas and scikit-learn, and `annotate` and `matrix` without scikit-learn: a
# fraction of a second, which matters when scripts call them in a loop.


class Commands(click.Group):
    """A command group that turns expected failures into one-line errors instead of tracebacks."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (ValueError, OSError) as err:
            click.echo(f"error: {_one_line(err)}", err=True)
            sys.exit(1)


def _one_line(err: Exception) -> str:
    text = str(err).strip() or type(err).__name__
    return " ".join(text.split())


def _taxonomy_option(function):
    return click.option("--taxonomy", "taxonomy_path", type=click.Path(path_type=Path), default=PROJECT.taxonomy,
                        show_default=True, help="Taxonomy file.")(function)


def _model_option(function):
    return click.option("--model", "model_dir", type=click.Path(path_type=Path), default=PROJECT.model,
                        show_default=True, help="Model folder.")(function)


def _gold(labeled_dir: Path, taxonomy, include_written: bool = True, need_external: bool = False):
    """The gold set with stand-off labels joined to the project's corpora (labels checked against the
    taxonomy when one is given); says on stderr what it used."""
    from classify.annotation.standoff import gold_with_text

    label_ids = taxonomy.ids if taxonomy is not None else None
    gold, resolution = gold_with_text(labeled_dir, PROJECT.corpora, include_written, label_ids, PROJECT.corpus)
    if resolution.units or resolution.unresolved:
        click.echo(resolution.summary(), err=True)
    if need_external and not resolution.units:
        raise click.ClickException("no stand-off labels of an external corpus could be resolved: nothing to curve")
    return gold, resolution


def _dev_option(function):
    return click.option("--dev", "dev_path", type=click.Path(path_type=Path),
                        help="Development-set gold CSV (default: ../shared/devset if present).")(function)


def _dev_or_note(dev_path: Path | None):
    """The development set's gold frame, or None with a note that the card gets cross-validated figures only."""
    from classify.annotation.labeled import read_gold

    dev_path = dev_path or find_project().devset
    if dev_path is None:
        click.echo("no development set (../shared/devset is absent): the card gets grouped-CV figures only", err=True)
    return read_gold(dev_path) if dev_path else None


def _required_dev(dev_path: Path | None):
    """The development set's gold frame, or a one-line error when there is none."""
    from classify.annotation.labeled import read_gold

    dev_path = dev_path or find_project().devset
    if dev_path is None:
        raise click.ClickException("no development set: ../shared/devset is absent; pass --dev GOLD.csv")
    return read_gold(dev_path)


def _labeled_option(function):
    return click.option("--labeled", "labeled_dir", type=click.Path(path_type=Path), default=PROJECT.labeled,
                        show_default=True, help="Folder of the annotation store.")(function)


def _manifest_option(function):
    return click.option("--manifest", type=click.Path(path_type=Path),
                        help="Manifest CSV to use instead of CORPUS_DIR/manifest.csv (a `file` column is optional: "
                             "<doc_id>.txt or docs/<doc_id>.txt is found).")(function)


def _write_or_print(table, output: Path | None, rows: str) -> None:
    """Write a table to `output` and say how many `rows` went there, or print it when there is no output."""
    from classify.tables import write_table

    if output:
        write_table(table, output)
        click.echo(f"{len(table)} {rows} → {output}")
    else:
        click.echo(table.to_string(index=False))


def _events(labeled_dir: Path) -> list:
    """The annotation store's decisions; none when there is no store yet."""
    from classify.annotation.labeled import read_events

    return read_events(labeled_dir) if Path(labeled_dir).is_dir() else []


def _card_of(model_dir: Path, taxonomy=None) -> dict:
    """A model's card: checked against the taxonomy and the model file when one is given."""
    from classify.model.persist import checked_card, read_card

    return checked_card(model_dir, taxonomy) if taxonomy is not None else read_card(model_dir)


def _fold_counter(bar):
    """A progress callback (folds done, folds in all) that moves a tqdm bar."""
    def advance(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)
    return advance


def _progress(description: str):
    bar = tqdm(total=0, bar_format="{desc}", file=sys.stderr, disable=None)

    def step(message: str) -> None:
        bar.set_description_str(f"{description}: {message}")

    return bar, step


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policy-classify", prog_name="policy-classify", message="%(prog)s %(version)s")
@click.option("-v", "--verbose", is_flag=True, help="Show progress details and warnings.")
def main(verbose: bool) -> None:
    """Code the policy measures of Chinese S&T policy texts, city by city."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s: %(message)s")


@main.command()
@click.argument("corpus_dir", metavar="[CORPUS_DIR|FILE]", type=click.Path(path_type=Path), required=False)
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="Units table (.csv, .parquet or .xlsx).")
@_manifest_option
@click.option("--from-folder", "from_folder", type=click.Path(path_type=Path),
              help="A folder of documents (.txt, .pdf, .docx, .html): each file its manifest.csv does not name yet "
                   "gets a row (title from the document, jurisdiction from --jurisdiction or asked for), then the "
                   "folder is ingested.")
@click.option("--jurisdiction", help="Jurisdiction of the documents of --from-folder or of a single FILE "
                                     "(asked for when not given).")
def ingest(corpus_dir: Path | None, output: Path, manifest: Path | None, from_folder: Path | None,
           jurisdiction: str | None) -> None:
    """Split a corpus folder, a folder of documents or one document file into units with stable ids and
    jurisdictions."""
    from classify.ingest.sentences import corpus_chunks
    from classify.tables import write_chunks

    if (corpus_dir is None) == (from_folder is None):
        raise click.UsageError("give either CORPUS_DIR (or FILE) or --from-folder DIR")
    place = _jurisdiction_of(jurisdiction)
    if corpus_dir is not None and corpus_dir.is_file():
        count = write_chunks(_file_chunks(corpus_dir, place), output)
    else:
        count = write_chunks(corpus_chunks(corpus_dir or _added_folder(from_folder, place), manifest=manifest), output)
    click.echo(f"{count} units → {output}")


def _added_folder(folder: Path, jurisdiction_of) -> Path:
    """A folder of documents with its manifest written (or extended), each document read said on stderr."""
    from classify.ingest.documents import add_folder

    added = add_folder(folder, jurisdiction_of)
    for row in added:
        click.echo(f"{row['file']}: read by {row['reader']}, {row['jurisdiction']}, {row['title'][:40]}", err=True)
    click.echo(f"{len(added)} documents added to {folder / 'manifest.csv'}", err=True)
    if not (folder / "manifest.csv").exists():
        raise click.ClickException(f"{folder}: no readable document")
    return folder


def _jurisdiction_of(given: str | None):
    """`(path, title) → jurisdiction`: the one given, or asked for per document (offering the last answer)."""
    answers: list[str] = []

    def ask(path: Path, title: str) -> str:
        if given:
            return given
        answers.append(click.prompt(f"Jurisdiction of {path.name} ({title[:40]})",
                                    default=answers[-1] if answers else None))
        return answers[-1]

    return ask


def _file_chunks(path: Path, jurisdiction_of):
    """The units of one document file; a file that cannot be read is an error, not a skipped document."""
    from classify.ingest.documents import Document
    from classify.ingest.readers import read_file
    from classify.ingest.sentences import document_chunks

    read = read_file(path)
    click.echo(f"{path.name}: read by {read.reader}", err=True)
    return document_chunks([Document(doc_id=path.stem, path=path, jurisdiction=jurisdiction_of(path, read.title),
                                     title=read.title)])


@main.command()
@_model_option
@_taxonomy_option
@_labeled_option
@_dev_option
@click.option("--place-assignments", type=click.IntRange(min=1), default=None, show_default="3",
              help="How many assignments of provinces to folds the card's place-held-out figure is read under "
                   "(1: only the balanced one, faster).")
def train(model_dir: Path, taxonomy_path: Path, labeled_dir: Path, dev_path: Path | None,
          place_assignments: int | None) -> None:
    """Train a model on labeled/ and write it, with its card, to the model folder."""
    taxonomy = load_taxonomy(taxonomy_path)
    gold, resolution = _gold(labeled_dir, taxonomy)
    dev = _dev_or_note(dev_path)  # said only once the inputs are known good, so a refusal stays one line
    bar, step = _progress("train")
    with bar:
        model = recipes.train(gold, resolution, taxonomy, model_dir, dev, progress=step,
                              place_assignments=place_assignments)
    click.echo(f"model → {model_dir}: {recipes.training_summary(model.card_)}")


@main.command()
@_model_option
@_taxonomy_option
@_labeled_option
@click.option("--data", "data_path", type=click.Path(path_type=Path),
              help="Gold CSV (unit_id, text, labels) to score the model on; without it, grouped CV on labeled/.")
@click.option("--held-out", "held_out", type=click.Choice(["province", "document"]), default="province",
              show_default=True, help="What each cross-validation fold holds out: whole provinces (the honest "
              "figure for a new city) or documents.")
@click.option("--seed", type=int, default=None,
              help="Deal the provinces to folds at random with this seed (default: folds balanced by size), to "
                   "read the place-held-out figure under another assignment.")
def evaluate(model_dir: Path, taxonomy_path: Path, labeled_dir: Path, data_path: Path | None, held_out: str,
             seed: int | None) -> None:
    """Score the model and the keyword baseline, per label and macro (and, under cross-validation, per kind
    of document)."""
    from classify.model.card import metrics_summary, shown_metrics

    taxonomy = load_taxonomy(taxonomy_path)
    with tqdm(desc="cross-validation folds", unit="fold", file=sys.stderr, disable=None) as bar:
        report, kinds = (recipes.score_file(model_dir, taxonomy, data_path), None) if data_path else \
            recipes.cross_validation(_gold(labeled_dir, taxonomy)[0], taxonomy, held_out, _fold_counter(bar), seed)
    click.echo(shown_metrics(report.to_dict()).to_string()
               + (f"\n{kinds.to_string()}" if kinds is not None and not kinds.empty else ""))
    click.echo(metrics_summary(report.to_dict()))


@main.command()
@click.option("--input", "-i", "input_path", type=click.Path(path_type=Path), required=True,
              help="Table with unit_id and text columns.")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="Table with labels and p_<label> columns added (.csv, .parquet or .xlsx).")
@_model_option
@_taxonomy_option
def predict(input_path: Path, output: Path, model_dir: Path, taxonomy_path: Path) -> None:
    """Add labels and p_<label> columns to a table of units."""
    from classify.tables import read_table, write_table
    from classify.model.persist import load_tagger
    from classify.model.predict import predict_frame

    # The model (and its taxonomy) is checked before the table is read, so a bad taxonomy is what is named.
    write_table(predict_frame(load_tagger(model_dir, load_taxonomy(taxonomy_path)),
                              frame := read_table(input_path, required=("unit_id", "text"))), output)
    click.echo(f"{len(frame)} units → {output}")


@main.command()
@click.argument("corpus_dir", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="Predictions (.csv, .parquet or .xlsx).")
@_model_option
@_taxonomy_option
@click.option("--jobs", "-j", type=click.IntRange(1), default=1, show_default=True, help="Local worker processes.")
@click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: --jobs processes on this machine; dask: an existing Dask cluster (--scheduler).")
@click.option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --backend dask).")
@click.option("--chunk-size", type=click.IntRange(100), default=5_000, show_default=True,
              help="Units per chunk: memory is bounded by a chunk, not the corpus.")
@_manifest_option
def tag(corpus_dir: Path, output: Path, model_dir: Path, taxonomy_path: Path, jobs: int, backend: str,
        scheduler: str | None, chunk_size: int, manifest: Path | None) -> None:
    """Ingest a corpus folder and label every unit, streaming chunks to the output."""
    from classify.tables import write_chunks

    if backend == "dask" and not scheduler:
        raise click.UsageError("--backend dask needs --scheduler ADDRESS")
    chunks = recipes.tag_chunks(corpus_dir, model_dir, load_taxonomy(taxonomy_path), jobs=jobs, backend=backend,
                                scheduler=scheduler, size=chunk_size, manifest=manifest)
    count = write_chunks(tqdm(chunks, desc="tag", unit=" chunks", file=sys.stderr, disable=None), output)
    click.echo(f"{count} units tagged → {output}")


@main.command()
@click.argument("pred", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Write the matrix here (.csv, .parquet or .xlsx); else print it.")
@click.option("--value", type=click.Choice(VALUES), default="count", show_default=True,
              help="Units per cell, their share of the jurisdiction's units, or units per 1,000.")
@click.option("--threshold", type=click.FloatRange(0, 1), help="Count a label when its probability ≥ this.")
@click.option("--intervals", "with_intervals", is_flag=True,
              help="One row per jurisdiction × measure with estimate, 90% interval (low, high) and its basis: "
                   "model only, a checked sample of n, or all units confirmed.")
@_model_option
@_labeled_option
def matrix(pred: Path, output: Path | None, value: str, threshold: float | None, with_intervals: bool,
           model_dir: Path, labeled_dir: Path) -> None:
    """Jurisdictions × measures from tagged units."""
    from classify.analysis.matrix import to_matrix
    from classify.tables import read_table, write_table

    tagged = read_table(pred, required=("jurisdiction", "labels"))
    if with_intervals:
        return _write_or_print(recipes.interval_cells(tagged, _card_of(model_dir), _events(labeled_dir), value,
                                                      source=str(pred)), output, "cells")
    click.echo((table := to_matrix(tagged, value=value, threshold=threshold)).to_string())
    if output:
        write_table(table.reset_index(), output)


@main.command()
@_model_option
@_taxonomy_option
@_labeled_option
@_dev_option
def ablate(model_dir: Path, taxonomy_path: Path, labeled_dir: Path, dev_path: Path | None) -> None:
    """Each lever of the model on and off, scored on the development set; the table goes into the model card."""
    dev, taxonomy = _required_dev(dev_path), load_taxonomy(taxonomy_path)
    bar, step = _progress("ablation")
    with bar:
        table = recipes.ablation(_gold(labeled_dir, taxonomy)[0], taxonomy, dev, model_dir, progress=step)
    click.echo(table.to_string())


@main.command()
@_model_option
@_taxonomy_option
@_labeled_option
def curve(model_dir: Path, taxonomy_path: Path, labeled_dir: Path) -> None:
    """How many labelled units a new jurisdiction needs: a learning curve on held-out documents, into the card."""
    taxonomy = load_taxonomy(taxonomy_path)
    click.echo(recipes.learning_curve(_gold(labeled_dir, taxonomy)[0], taxonomy, model_dir).to_string())


@main.command()
@_taxonomy_option
@_labeled_option
@click.option("--top", type=click.IntRange(1), default=30, show_default=True, help="Candidates per label.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the candidates here (.csv or .xlsx); else print.")
def lexicon(taxonomy_path: Path, labeled_dir: Path, top: int, output: Path | None) -> None:
    """Words that mark each measure in the labelled units (log-odds against the other labels), not yet in the
    taxonomy: candidates for a person to vet before adding them to a label's lexicon."""
    from classify.analysis.compare import candidate_terms
    from classify.ingest.segment import Segmenter

    taxonomy = load_taxonomy(taxonomy_path)
    gold, _ = _gold(labeled_dir, taxonomy, include_written=False)
    _write_or_print(candidate_terms(gold, taxonomy.ids, Segmenter(tuple(taxonomy.terms)), set(taxonomy.terms), top),
                    output, "candidate terms")


@main.command("labelling-curve")
@_model_option
@_taxonomy_option
@_labeled_option
@_dev_option
def labelling_curve_command(model_dir: Path, taxonomy_path: Path, labeled_dir: Path, dev_path: Path | None) -> None:
    """Dev macro F1 against pool units labelled, active-learning vs random order; table and plot into the card."""
    dev, taxonomy = _required_dev(dev_path), load_taxonomy(taxonomy_path)
    gold = _gold(labeled_dir, taxonomy, need_external=True)[0]
    bar, step = _progress("labelling curve")
    with bar:
        table = recipes.labelling_curve(gold, taxonomy, dev, model_dir, progress=step)
    click.echo(table.to_string())


@main.command()
@click.argument("corpus_dir", metavar="CORPUS", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="Units to label next (.csv or .xlsx).")
@click.option("--limit", "-n", type=click.IntRange(1), default=50, show_default=True, help="How many units.")
@click.option("--queue", "queue_name", type=click.Choice(list(QUEUES)), default="uncertain", show_default=True,
              help="Which queue: " + "; ".join(f"{k}: {v}" for k, v in QUEUES.items()) + ".")
@click.option("--annotator", default="", help="Leave out units this annotator has already decided.")
@click.option("--check", "check_place", metavar="JURISDICTION",
              help="A simple random sample of this jurisdiction's units to check (unbiased: label them with "
                   "`annotate --check`, and its cells get prediction-powered intervals).")
@_model_option
@_taxonomy_option
@_labeled_option
def suggest(corpus_dir: Path, output: Path, limit: int, queue_name: str, annotator: str, check_place: str | None,
            model_dir: Path, taxonomy_path: Path, labeled_dir: Path) -> None:
    """The units of a corpus (a folder, or a name from project.yaml) to label next: by default the
    unlabelled ones the model is least sure of, most uncertain first."""
    from classify.tables import write_table

    chosen = recipes.suggestions(PROJECT.corpus_named(corpus_dir)[1], model_dir, load_taxonomy(taxonomy_path),
                                 _events(labeled_dir), queue_name, annotator, check_place, limit)
    write_table(chosen, output)
    click.echo(f"{len(chosen)} units to label next → {output}")


@main.command()
@click.argument("unit_id", required=False)
@click.option("--labels", "label_text", default="", help="Label ids joined by ';' (empty for none).")
@click.option("--annotator", required=True, help="Whose decision this is (one store file per annotator).")
@click.option("--from", "table", type=click.Path(path_type=Path),
              help="Many decisions at once: a table with unit_id and labels columns (instead of UNIT_ID).")
@click.option("--check", is_flag=True,
              help="These units were drawn by `suggest --check` (a random check sample of their jurisdiction).")
@click.option("--text", default=None, help="The unit's text, when it is not in the corpus (e.g. a new document).")
@click.option("--corpus", "corpus_dir", default=str(PROJECT.corpus), show_default=True,
              help="The units' corpus: a folder, or the name of an external corpus in project.yaml "
                   "(its decisions are stored stand-off: ids and labels, no text).")
@_labeled_option
@_taxonomy_option
def annotate(unit_id: str | None, label_text: str, annotator: str, table: Path | None, check: bool,
             text: str | None, corpus_dir: str, labeled_dir: Path, taxonomy_path: Path) -> None:
    """Record labelling decisions for units, through the same store the app uses."""
    if (unit_id is None) == (table is None):
        raise click.UsageError("give either UNIT_ID or --from TABLE")
    made = recipes.annotate(_decision_rows(unit_id, label_text, table), annotator, PROJECT.corpus_named(corpus_dir),
                            labeled_dir, load_taxonomy(taxonomy_path).ids, check, text, from_table=table is not None)
    name = PROJECT.corpus_named(corpus_dir)[0]
    click.echo(f"{unit_id}: {';'.join(made[0].labels) or 'none'} by {annotator}" if table is None else
               f"{len(made)} decisions by {annotator}" + (f" on {name} (stand-off)" if name else "") + f" → {labeled_dir}")


def _decision_rows(unit_id: str | None, label_text: str, table: Path | None) -> list[tuple[str, tuple[str, ...]]]:
    """(unit id, labels) pairs: the one given on the command line, or a table's unit_id and labels columns."""
    from classify.labels import split_labels
    from classify.tables import read_table

    if table is None:
        return [(unit_id, split_labels(label_text))]
    rows = read_table(table, required=("unit_id", "labels"))
    return list(zip(rows["unit_id"], rows["labels"].map(split_labels)))


@main.command()
@click.argument("pred", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="Commitments table (.csv or .xlsx).")
@click.option("--measure", "measures", multiple=True, help="Only these label ids (repeatable).")
@click.option("--jurisdiction", "jurisdictions", multiple=True, help="Only these jurisdictions (repeatable).")
def commitments(pred: Path, output: Path, measures: tuple[str, ...], jurisdictions: tuple[str, ...]) -> None:
    """Numbers attached to measures (money, counts, percentages, target years), each a result or a target."""
    from classify.tables import read_table, write_table

    tagged = read_table(pred, required=("unit_id", "jurisdiction", "text", "labels"))
    table = recipes.commitments(tagged, measures, jurisdictions)
    write_table(table, output)
    click.echo(f"{len(table)} commitments from {table['unit_id'].nunique()} sentences → {output}")


@main.command()
@click.argument("pred", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the table here (.csv or .xlsx); else print.")
@click.option("--threshold", type=click.FloatRange(0, 1), help="Count a label when its probability ≥ this.")
def distinctive(pred: Path, output: Path | None, threshold: float | None) -> None:
    """Which measures each jurisdiction stresses more or less than the others (log-odds, z, 95% interval)."""
    from classify.tables import read_table
    from classify.analysis.compare import distinctive_measures
    from classify.labels import label_ids_of

    tagged = read_table(pred, required=("jurisdiction", "labels"))
    _write_or_print(distinctive_measures(tagged, label_ids_of(tagged), threshold), output, "rows")


@main.command()
@click.option("--jurisdictions", required=True, help="Comma-separated, e.g. 成都市,重庆市")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="Report (.html).")
@click.option("--pred", type=click.Path(path_type=Path), help="Tagged units; default: tag the project corpus.")
@_model_option
@_taxonomy_option
@_labeled_option
def report(jurisdictions: str, output: Path, pred: Path | None, model_dir: Path, taxonomy_path: Path,
           labeled_dir: Path) -> None:
    """A self-contained HTML comparison of jurisdictions to send to a colleague."""
    from classify.tables import read_table, write_text

    taxonomy = load_taxonomy(taxonomy_path)
    tagged = read_table(pred, required=("jurisdiction", "labels", "text")) if pred else \
        recipes.tag_corpus(PROJECT.corpus, model_dir, taxonomy)
    places = [j.strip() for j in jurisdictions.split(",") if j.strip()]
    write_text(output, recipes.report(tagged, taxonomy, places, _card_of(model_dir, taxonomy), _events(labeled_dir)))
    click.echo(f"report on {', '.join(places)} → {output}")


@main.group()
def labels() -> None:
    """Work with the labelled data in labeled/."""


@labels.command("add-written")
@click.argument("table", type=click.Path(path_type=Path))
@click.option("--annotator", required=True, help="Who wrote and coded the sentences.")
@_labeled_option
@_taxonomy_option
def add_written(table: Path, annotator: str, labeled_dir: Path, taxonomy_path: Path) -> None:
    """Add sentences written to teach the model (a table with text and labels); they train but are never scored."""
    from classify.annotation.labeled import append, written_annotations
    from classify.tables import read_table

    frame = read_table(table, required=("text", "labels"))
    count = append(labeled_dir, written_annotations(frame, annotator), load_taxonomy(taxonomy_path).ids)
    click.echo(f"{count} written sentences → {labeled_dir}")


@labels.command("agreement")
@_labeled_option
@_taxonomy_option
@click.option("--annotators", help="Two annotators joined by ',' (default: the first two of each unit).")
def agreement_command(labeled_dir: Path, taxonomy_path: Path, annotators: str | None) -> None:
    """Cohen's kappa per label between two annotators on the units both coded."""
    from classify.annotation.labeled import read_events
    from classify.annotation.agreement import agreement

    names = [n.strip() for n in annotators.split(",")] if annotators else None
    if names is not None and len(names) != 2:
        raise click.UsageError("--annotators takes exactly two names joined by ','")
    ids = load_taxonomy(taxonomy_path).ids
    click.echo(agreement(read_events(labeled_dir, ids), ids, names).to_string(float_format=lambda v: f"{v:.3f}"))


@labels.command("export")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="Gold table (.csv, .parquet or .xlsx).")
@_labeled_option
@click.option("--written/--no-written", default=False, help="Include sentences written to teach the model.")
def export(output: Path, labeled_dir: Path, written: bool) -> None:
    """Write the current gold set: unit_id, doc_id, jurisdiction, text, labels (stand-off labels with the
    text of their corpus when it is present, else skipped with a note)."""
    from classify.tables import write_table

    gold, _ = _gold(labeled_dir, None, include_written=written)
    write_table(gold[["unit_id", "doc_id", "jurisdiction", "text", "labels"]], output)
    click.echo(f"{len(gold)} units → {output}")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def app(ctx: click.Context) -> None:
    """Open the Streamlit app on this project (extra options go to `streamlit run`, e.g. --server.port 8600)."""
    # The app's code sits beside src/ in the checkout this package runs from; the data may be elsewhere.
    script = Path(__file__).resolve().parents[2] / "app" / "Home.py"
    if not script.is_file():
        raise click.ClickException(f"{script}: app not found; run from a clone of the project")
    # Become streamlit (exec, not a child process), so stopping this command stops the server.
    line = app_command_line(script, list(ctx.args))
    os.execv(line[0], line)


def app_command_line(script: Path, options: list[str]) -> list[str]:
    """`streamlit run` for the app: on localhost and without usage statistics unless the options say otherwise."""
    if not any(option.startswith("--server.address") for option in options):
        options = options + ["--server.address", "localhost"]  # nothing listens beyond this machine unless asked
    if not any(option.startswith("--browser.gatherUsageStats") for option in options):
        options = options + ["--browser.gatherUsageStats", "false"]  # no statistics leave the machine unless asked
    return [sys.executable, "-m", "streamlit", "run", str(script), *options]


@main.group()
def users() -> None:
    """Annotators allowed to label and retrain in the app (hashed passwords, kept outside the project)."""


@users.command("add")
@click.argument("name")
@click.password_option(help="Prompted twice when not given.")
def add_user_command(name: str, password: str) -> None:
    """Add an annotator, or reset their password."""
    from classify.annotation.access import add_user

    path = add_user(name, password)
    click.echo(f"{name} can now log in (users file: {path})")


@users.command("list")
def list_users() -> None:
    """Names of the annotators in the users file."""
    from classify.annotation.access import load_users

    known = load_users()
    click.echo("no users file: the app is open to a single local user" if known is None else "\n".join(sorted(known)))
