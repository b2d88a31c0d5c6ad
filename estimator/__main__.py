"""Command line: `python -m estimator COMMAND …` (`--help` on every command).

Every failure is one line in the chosen language and a non-zero exit, never a
traceback; a failing estimate still prints the project id so it can be retried.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from estimator import operations
from estimator.config import ConfigError, Settings, load_settings
from estimator.errors import EstimatorError
from estimator.i18n import format_money, format_number, t
from estimator.schemas import (
    PHASES,
    AccuracyReport,
    Calibration,
    CalibrationFactor,
    Deliverable,
    EffortUnit,
    ImportOutcome,
    Measures,
    PricedEstimate,
    ProjectAccuracy,
    ProjectDetail,
    ProjectStatus,
    VersionSummary,
)
from estimator.workflow import Workflow, open_workflow

CLI_USER = os.environ.get("USER", "cli")
STATUS_VALUES = tuple(status.value for status in ProjectStatus)


class CommandFailed(Exception):
    """A command's own refusal, already worded for the user."""


def _number(value: Decimal) -> int | float:
    """Decimal → JSON number with the same digits (int when whole)."""
    return int(value) if value == value.to_integral_value() else float(str(value))


def version_json(project: ProjectDetail, version: VersionSummary, priced: PricedEstimate) -> dict[str, Any]:
    """The one JSON shape `estimate --json` and `adjust --apply --json` print."""
    return {
        "project_id": project.id,
        "quote_number": project.quote_number,
        "version": version.number,
        "origin": version.origin,
        "language": project.language,
        "currency": priced.pricing.currency,
        "unit_cost": _number(priced.pricing.unit_cost),
        "tax_rate": _number(priced.pricing.tax_rate),
        "lines": [
            {
                "deliverable": item.line.deliverable,
                "description": item.line.description,
                "kind": item.line.kind.value,
                "person_days": _number(item.line.person_days),
                "amount": _number(item.amount),
                "phases": {phase.value: _number(item.line.phases.get(phase)) for phase in PHASES},
                "optimistic": _number(item.line.optimistic),
                "most_likely": _number(item.line.most_likely),
                "pessimistic": _number(item.line.pessimistic),
                "reasoning": item.line.reasoning,
                "calibration": _number(item.line.calibration),
            }
            for item in priced.lines
        ],
        "calibration": calibration_json(version.calibration),
        "person_days": _number(priced.person_days),
        "subtotal": _number(priced.subtotal),
        "tax": _number(priced.tax),
        "total": _number(priced.total),
    }


def calibration_json(calibration: Calibration) -> dict[str, Any]:
    """The factors a version was generated with and their evidence, as `estimate --json` and `accuracy --json`
    print them."""
    return {
        "enabled": calibration.enabled,
        "completed_projects": calibration.completed,
        "factors": [
            {
                "kind": None if factor.kind is None else factor.kind.value,
                "phase": None if factor.phase is None else factor.phase.value,
                "project_type": factor.project_type,
                "engine": factor.engine,
                "factor": _number(factor.factor),
                "median_ratio": _number(factor.median_ratio),
                "projects": factor.projects,
                "lines": factor.lines,
                "used": factor.used,
            }
            for factor in calibration.factors
        ],
    }


def _measures_json(measures: Measures) -> dict[str, Any]:
    return {
        "projects": measures.projects,
        "observations": measures.observations,
        "lines": measures.lines,
        "mdmre": _rounded(measures.mdmre),
        "pred25": _rounded(measures.pred25),
        "bias": _rounded(measures.bias),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _project_accuracy_json(p: ProjectAccuracy) -> dict[str, Any]:
    return {
        "project_id": p.project_id,
        "quote_number": p.quote_number,
        "title": p.title,
        "project_type": p.project_type,
        "engine": p.engine,
        "done_at": None if p.done_at is None else p.done_at.isoformat(),
        "version": p.version,
        "estimate": _number(p.estimate),
        "first_estimate": _number(p.first_estimate),
        "actual": _number(p.actual),
        "change_requests": _number(p.change_requests),
        "ratio": _rounded(p.ratio),
        "mre": _rounded(p.mre),
    }


def project_accuracy_json(p: ProjectAccuracy) -> dict[str, Any]:
    """`accuracy --project N --json`: the project's figures and each line with actuals."""
    return {
        **_project_accuracy_json(p),
        "lines": [
            {
                "deliverable": line.deliverable,
                "kind": line.kind.value,
                "estimate": _number(line.estimate),
                "actual": _number(line.actual),
                "calibration": _number(line.calibration),
            }
            for line in p.lines
        ],
    }


def accuracy_json(report: AccuracyReport, calibration: Calibration) -> dict[str, Any]:
    """`accuracy --json`: the measures overall (as submitted and as first generated), by kind, phase and type,
    each completed project, and the factors a new estimate would use."""
    return {
        **_measures_json(report.overall),
        "first_generated": _measures_json(report.first_generated),
        "by_kind": {kind: _measures_json(m) for kind, m in report.by_kind.items()},
        "by_phase": {phase: _measures_json(m) for phase, m in report.by_phase.items()},
        "by_type": {kind: _measures_json(m) for kind, m in report.by_type.items()},
        "completed": [_project_accuracy_json(p) for p in report.projects],
        "calibration": calibration_json(calibration),
    }


def _print_json(document: Any) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=2))


def _print_version(project: ProjectDetail, priced: PricedEstimate, number: int, lang: str) -> None:
    currency = priced.pricing.currency
    print(t("cli.version_header", lang, title=project.title, quote=project.quote_number, version=number))
    width = max((len(item.line.deliverable) for item in priced.lines), default=10)
    for item in priced.lines:
        days = format_number(item.line.person_days, lang)
        span = f"{format_number(item.line.optimistic, lang)}–{format_number(item.line.pessimistic, lang)}"
        amount = format_money(item.amount, currency, lang)
        print(f"  {item.line.deliverable:<{width}}  {days:>8} ({span:>13})  {amount:>14}")
    print(t("cli.subtotal", lang, value=format_money(priced.subtotal, currency, lang)))
    print(
        t(
            "cli.tax",
            lang,
            rate=format_number(priced.pricing.tax_rate, lang),
            value=format_money(priced.tax, currency, lang),
        )
    )
    print(t("cli.total", lang, value=format_money(priced.total, currency, lang)))


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    lang = args.lang
    state = operations.database_state(settings)
    problems: list[str] = []
    if state.problem is not None:
        problems.append(t("cli.check.db_unreachable", lang, error=state.problem))
    if state.head and state.current != state.head:
        problems.append(t("cli.check.not_migrated", lang, current=state.current or "—", head=state.head))
    print(t("cli.check.database", lang, url=state.url))
    print(t("cli.check.migration", lang, current=state.current or "—", head=state.head or "—"))
    print(t("cli.check.engine", lang, engine=settings.engine_name))
    print(t("cli.check.language", lang, language=settings.language))
    print(
        t(
            "cli.check.unit_costs",
            lang,
            jpy=format_money(settings.daily_unit_cost_jpy, "JPY", lang),
            usd=format_money(settings.daily_unit_cost_usd, "USD", lang),
        )
    )
    print(t("cli.check.tax", lang, ja=settings.tax_rate_ja, en=settings.tax_rate_en, rounding=settings.rounding))
    print(
        t("cli.check.api_key", lang, state=t("cli.check.set" if settings.openai_api_key else "cli.check.unset", lang))
    )
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def cmd_init_db(args: argparse.Namespace, settings: Settings) -> int:
    state = operations.init_database(settings)
    print(t("cli.init_db.done", args.lang, url=state.url, revision=state.current))
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    projects = open_workflow(settings).list_projects(args.search or "", args.status)
    if args.json:
        _print_json(
            [
                {
                    "id": p.id,
                    "quote_number": p.quote_number,
                    "title": p.title,
                    "client": p.client,
                    "language": p.language,
                    "currency": p.currency,
                    "updated_at": p.updated_at.isoformat(),
                    "latest_version": p.latest_version,
                    "latest_total": None if p.latest_total is None else _number(p.latest_total),
                    "status": p.status.value,
                }
                for p in projects
            ]
        )
        return 0
    if not projects:
        print(t("cli.list.empty", args.lang))
    for p in projects:
        total = "—" if p.latest_total is None else format_money(p.latest_total, p.currency, args.lang)
        version = "—" if p.latest_version is None else f"v{p.latest_version}"
        status = t(f"project_status.{p.status.value}", args.lang)
        print(f"{p.id:>5}  {p.quote_number}  {p.title}  [{p.client}]  {status}  {version}  {total}")
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    workflow = open_workflow(settings)
    before = workflow.project(args.project)
    after = workflow.set_status(
        before.id, args.status, version=args.version, user=CLI_USER, expected_row_version=before.row_version
    )
    labels = {
        "quote": after.quote_number,
        "title": after.title,
        "before": t(f"project_status.{before.status.value}", args.lang),
        "after": t(f"project_status.{after.status.value}", args.lang),
    }
    if after.status is ProjectStatus.SUBMITTED:
        print(t("cli.status.done_version", args.lang, version=after.submitted_version, **labels))
    else:
        print(t("cli.status.done", args.lang, **labels))
    return 0


def cmd_actuals(args: argparse.Namespace, settings: Settings) -> int:
    workflow = open_workflow(settings)
    project = workflow.project(args.project)
    path, data = _read_file(args.file, args.lang)
    sheet = workflow.read_timesheet(project.id, data, path.name, lang=args.lang, unit=args.unit)
    if sheet.problems:
        for problem in sheet.problems:
            print(problem.message, file=sys.stderr)
        if not args.skip_invalid:
            raise CommandFailed(t("cli.estimate.row_problems", args.lang, count=len(sheet.problems)))
    recorded = workflow.import_timesheet(
        project.id,
        sheet,
        change_requests=args.change_requests,
        user=CLI_USER,
        expected_row_version=project.row_version,
    )
    entries = workflow.actuals(recorded.id)
    unmatched = [row for row in sheet.rows if row.line is None]
    if args.json:
        _print_json(
            {
                "project_id": project.id,
                "quote_number": project.quote_number,
                "baseline_version": recorded.submitted_version,
                "matched": [
                    {
                        "row": row.row,
                        "name": row.name,
                        "line": row.line,
                        "phase": None if row.phase is None else row.phase.value,
                        "person_days": _number(row.person_days),
                    }
                    for row in sheet.rows
                    if row.line is not None
                ],
                "unmatched": [
                    {
                        "row": row.row,
                        "name": row.name,
                        "person_days": _number(row.person_days),
                        "suggestions": list(row.suggestions),
                        "recorded_as_change_request": args.change_requests,
                    }
                    for row in unmatched
                ],
                "problems": [{"row": problem.row, "message": problem.message} for problem in sheet.problems],
                "actuals": [
                    {
                        "deliverable": entry.deliverable,
                        "phase": None if entry.phase is None else entry.phase.value,
                        "person_days": _number(entry.person_days),
                        "change_request": entry.change_request,
                    }
                    for entry in entries
                ],
            }
        )
        return 0
    matched = len(sheet.rows) - len(unmatched)
    print(
        t(
            "cli.actuals.done",
            args.lang,
            quote=project.quote_number,
            rows=len(sheet.rows),
            matched=matched,
            lines=len(entries),
        )
    )
    for row in unmatched:
        key = "cli.actuals.unmatched_suggest" if row.suggestions else "cli.actuals.unmatched"
        print(
            t(
                key,
                args.lang,
                row=row.row,
                name=row.name,
                suggestions=t("offline.list_separator", args.lang).join(row.suggestions),
            )
        )
    if unmatched:
        print(t("cli.actuals.change_requests" if args.change_requests else "cli.actuals.not_recorded", args.lang))
    return 0


def cmd_accuracy(args: argparse.Namespace, settings: Settings) -> int:
    workflow = open_workflow(settings)
    if args.project is not None:
        return _project_accuracy(workflow, args)
    report = workflow.accuracy()
    calibration = workflow.calibration()
    if args.json:
        _print_json(accuracy_json(report, calibration))
        return 0
    lang = args.lang
    if not report.projects:
        print(t("cli.accuracy.empty", lang))
        return 0
    print(t("cli.accuracy.header", lang, count=len(report.projects)))
    rows = [
        (t("accuracy.overall", lang), report.overall),
        (t("accuracy.first_generated", lang), report.first_generated),
    ]
    rows += [(t(f"kind.{kind}", lang), measures) for kind, measures in report.by_kind.items()]
    rows += [(t(f"phase.{phase}", lang), measures) for phase, measures in report.by_phase.items()]
    width = max(len(label) for label, _m in rows)
    for label, measures in rows:
        print(f"  {label:<{width}}  {_measures_text(measures, lang)}")
    print(t("cli.accuracy.factors", lang))
    for factor in calibration.factors:
        print(f"  {_factor_text(factor, lang)}")
    if not calibration.factors:
        print(t("cli.accuracy.no_factors", lang))
    return 0


def _project_accuracy(workflow: Workflow, args: argparse.Namespace) -> int:
    lang = args.lang
    project = workflow.project(args.project)
    measured = workflow.project_accuracy(project.id)
    if measured is None:
        raise CommandFailed(t("cli.accuracy.no_actuals", lang, quote=project.quote_number, title=project.title))
    if args.json:
        _print_json(project_accuracy_json(measured))
        return 0
    print(
        t(
            "cli.accuracy.project",
            lang,
            quote=project.quote_number,
            title=project.title,
            version=measured.version,
            estimate=format_number(measured.estimate, lang),
            first=format_number(measured.first_estimate, lang),
            actual=format_number(measured.actual, lang),
            ratio=format_number(measured.ratio, lang),
            mre=_percent(measured.mre),
        )
    )
    width = max(len(line.deliverable) for line in measured.lines)
    for line in measured.lines:
        estimate, actual = format_number(line.estimate, lang), format_number(line.actual, lang)
        print(f"  {line.deliverable:<{width}}  {estimate:>9} → {actual:>9}")
    if measured.change_requests:
        print(t("cli.accuracy.change_requests", lang, days=format_number(measured.change_requests, lang)))
    return 0


def _percent(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value * 100:+.0f}%" if signed else f"{value * 100:.0f}%"


def _measures_text(measures: Measures, lang: str) -> str:
    return t(
        "cli.accuracy.measures",
        lang,
        count=measures.projects,
        mdmre=_percent(measures.mdmre),
        pred25=_percent(measures.pred25),
        bias=_percent(measures.bias, signed=True),
    )


def _factor_text(factor: CalibrationFactor, lang: str) -> str:
    subject = t(f"kind.{factor.kind}", lang) if factor.kind is not None else t(f"phase.{factor.phase}", lang)
    if factor.project_type is not None:
        subject = f"{subject} ({t(f'sizing.type.{factor.project_type}', lang)})"
    key = "cli.accuracy.factor" if factor.used else "cli.accuracy.factor_unused"
    return t(key, lang, subject=subject, factor=str(factor.factor), count=factor.projects, lines=factor.lines)


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    workflow = open_workflow(settings)
    project = workflow.project(args.project)
    if not workflow.versions(project.id):
        if args.json:
            _print_json({"project_id": project.id, "title": project.title, "version": None, "lines": []})
        else:
            print(t("cli.show.no_version", args.lang, title=project.title, quote=project.quote_number))
        return 0
    version = workflow.version(project.id, args.version)
    priced = workflow.priced(project.id, version.number)
    if args.json:
        _print_json(version_json(project, version, priced))
    else:
        _print_version(project, priced, version.number, args.lang)
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    target = operations.backup_database(settings, Path(args.output))
    print(t("cli.backup.done", args.lang, path=str(target)))
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    kept = operations.restore_database(settings, Path(args.file))
    print(t("cli.restore.done", args.lang, path=args.file, kept=str(kept)))
    return 0


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    doomed = operations.purge_projects(settings, args.older_than, dry_run=args.dry_run)
    key = "cli.purge.would_delete" if args.dry_run else "cli.purge.deleted"
    print(t(key, args.lang, count=len(doomed), days=args.older_than))
    for project in doomed:
        print(f"  {project.id}  {project.quote_number}  {project.title}")
    return 0


def cmd_propose_deliverables(args: argparse.Namespace, settings: Settings) -> int:
    """The deliverables a document names, proposed (nothing stored): a table with sources, or JSON."""
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandFailed(t("cli.cannot_read", args.lang, path=path, reason=error.strerror or error)) from None
    draft = open_workflow(settings).propose_deliverables(data, path.name, language=args.lang, user=CLI_USER)
    if args.json:
        _print_json(
            {
                "engine": draft.engine,
                "pages": draft.pages,
                "deliverables": [
                    {
                        "name": item.name,
                        "description": item.description,
                        "source": {
                            "page": item.source.page,
                            "section": item.source.section,
                            "text": item.source.excerpt,
                        },
                    }
                    for item in draft.items
                ],
                "requirements": draft.requirements,
            }
        )
        return 0
    print(t("cli.propose.found", args.lang, filename=path.name, count=len(draft.items), engine=draft.engine))
    for number, item in enumerate(draft.items, start=1):
        place = " ".join(
            part for part in (f"p.{item.source.page}" if item.source.page else "", item.source.section) if part
        )
        print(
            f"{number:>3}. {item.name}"
            + (f" — {item.description}" if item.description else "")
            + (f"  [{place}]" if place else "")
        )
    print(t("cli.propose.requirements", args.lang, count=len(draft.requirements)))
    return 0


def cmd_import_legacy(args: argparse.Namespace, settings: Settings) -> int:
    """Import the legacy system's app.db; print one line per task and every amount that was recomputed."""
    lang = args.lang
    report = open_workflow(settings).import_legacy(Path(args.app_db), dry_run=args.dry_run, user=CLI_USER)
    if args.json:
        _print_json(
            [
                {
                    "legacy_id": task.legacy_id,
                    "title": task.title,
                    "language": task.language,
                    "outcome": task.outcome.value,
                    "project": task.project_id,
                    "deliverables": task.deliverables,
                    "questions": task.questions,
                    "messages": task.messages,
                    "lines": task.lines,
                    "unit_cost": _number(task.unit_cost),
                    "total": None if task.total is None else _number(task.total),
                    "differences": [
                        {"line": d.line, "legacy": _number(d.legacy), "recomputed": _number(d.recomputed)}
                        for d in task.differences
                    ],
                    "skipped_lines": list(task.skipped_lines),
                }
                for task in report
            ]
        )
        return 0
    for task in report:
        total = "—" if task.total is None else format_money(task.total, "JPY", lang)
        print(
            t(
                f"cli.import_legacy.{task.outcome.value}",
                lang,
                id=task.legacy_id,
                title=task.title,
                project=task.project_id or "",
                deliverables=task.deliverables,
                lines=task.lines,
                questions=task.questions,
                messages=task.messages,
                total=total,
            )
        )
        for difference in task.differences:
            legacy, recomputed = (format_money(v, "JPY", lang) for v in (difference.legacy, difference.recomputed))
            print("   " + t("cli.import_legacy.difference", lang, line=difference.line, legacy=legacy, new=recomputed))
        for name in task.skipped_lines:
            print("   " + t("cli.import_legacy.skipped", lang, line=name))
    counts = {outcome: sum(task.outcome is outcome for task in report) for outcome in ImportOutcome}
    print(t("cli.import_legacy.summary", lang, **{outcome.value: count for outcome, count in counts.items()}))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Replace this process with Streamlit on HOST:PORT (what run.sh and the service start)."""
    app = Path(__file__).resolve().parent.parent / "app.py"
    streamlit = Path(sys.executable).with_name("streamlit")
    argv = [
        str(streamlit),
        "run",
        str(app),
        f"--server.address={settings.host}",
        f"--server.port={settings.port}",
        f"--server.maxUploadSize={settings.max_upload_size_mb}",
    ]
    print(t("cli.serve.starting", args.lang, url=f"http://{settings.host}:{settings.port}"), flush=True)
    os.execv(argv[0], argv)
    return 0


def _require_file(path: str, lang: str) -> Path:
    file = Path(path)
    if not file.is_file():
        raise CommandFailed(t("cli.missing_file", lang, path=path))
    return file


def _read_file(path: str, lang: str) -> tuple[Path, bytes]:
    """The file at `path` and its bytes, or the refusal naming what is wrong with it."""
    file = _require_file(path, lang)
    try:
        return file, file.read_bytes()
    except OSError as error:
        raise CommandFailed(t("cli.cannot_read", lang, path=path, reason=error.strerror or error)) from None


def _read_deliverables(workflow: Workflow, path: Path, lang: str, skip_invalid: bool) -> list[Deliverable]:
    result = workflow.read_upload(path.read_bytes(), path.name, lang=lang)
    if result.problems:
        for problem in result.problems:
            print(t(problem.key, lang, **problem.values), file=sys.stderr)
        if not skip_invalid:
            raise CommandFailed(t("cli.estimate.row_problems", lang, count=len(result.problems)))
    return list(result.deliverables)


def cmd_estimate(args: argparse.Namespace, settings: Settings) -> int:
    lang = args.lang
    source = _require_file(args.input, lang)
    requirements = _require_file(args.requirements, lang).read_text(encoding="utf-8") if args.requirements else ""
    answers: dict[str, str | None] = {}
    if args.answers:
        try:
            answers = json.loads(_require_file(args.answers, lang).read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise CommandFailed(t("cli.estimate.bad_answers", lang, error=str(error))) from None
        if not isinstance(answers, dict):
            raise CommandFailed(t("cli.estimate.bad_answers", lang, error="expected an object {key: answer}"))
    workflow = open_workflow(settings)
    deliverables = _read_deliverables(workflow, source, lang, args.skip_invalid)
    defaults = workflow.project_defaults(lang)
    project = workflow.create_project(
        dataclasses.replace(defaults, title=args.title or source.stem, client=args.client or ""),
        user=CLI_USER,
    )
    try:
        project = workflow.save_deliverables(
            project.id, deliverables, requirements=requirements, expected_row_version=project.row_version
        )
        if args.no_calibration:
            project = workflow.set_calibration(project.id, False, expected_row_version=project.row_version)
        project = workflow.generate_questions(project.id, expected_row_version=project.row_version, user=CLI_USER)
        if answers:
            project = workflow.save_answers(
                project.id,
                {str(k): None if v is None else str(v) for k, v in answers.items()},
                expected_row_version=project.row_version,
            )
        version = workflow.generate_estimate(project.id, expected_row_version=project.row_version, user=CLI_USER)
    except EstimatorError as error:
        raise CommandFailed(
            t("cli.estimate.failed", lang, project=project.id, error=t(error.key, lang, **error.values))
        ) from None
    _finish_version(workflow, project.id, version, args, lang)
    return 0


def _finish_version(
    workflow: Workflow, project_id: int, version: VersionSummary, args: argparse.Namespace, lang: str
) -> None:
    project = workflow.project(project_id)
    priced = workflow.priced(project_id, version.number)
    if getattr(args, "output", None):
        path = _export(workflow, project_id, version.number, Path(args.output))
        print(t("cli.export.done", lang, path=str(path)), file=sys.stderr if args.json else sys.stdout)
    if args.json:
        _print_json(version_json(project, version, priced))
    else:
        _print_version(project, priced, version.number, lang)


def _export(workflow: Workflow, project_id: int, number: int | None, output: Path) -> Path:
    _name, workbook = workflow.export_quote(project_id, number)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(workbook)
    return output


def cmd_adjust(args: argparse.Namespace, settings: Settings) -> int:
    lang = args.lang
    workflow = open_workflow(settings)
    project = workflow.project(args.project)
    turn = workflow.propose_adjustment(project.id, args.request, user=CLI_USER, language=lang)
    rows = turn.proposals
    if not rows:  # an answer to a question, or a question back with the requests that answer it
        if args.json:
            _print_json(
                {"reply": turn.reply, "choices": [{"label": c.label, "request": c.request} for c in turn.choices]}
            )
        else:
            print(turn.reply)
            for choice in turn.choices:
                print(f"  - {choice.label}: {choice.request}")
        return 0
    if args.apply is not None:
        if not 1 <= args.apply <= len(rows):
            raise CommandFailed(t("cli.adjust.no_such_proposal", lang, number=args.apply, count=len(rows)))
        version = workflow.apply_proposal(project.id, rows[args.apply - 1].id, user=CLI_USER)
        _finish_version(workflow, project.id, version, args, lang)
        return 0
    previews = [workflow.preview(project.id, row) for row in rows]
    if args.json:
        _print_json(
            [
                {
                    "number": index,
                    "title": p.proposal.title,
                    "reason": p.proposal.reason,
                    "operations": [op.model_dump(mode="json") for op in p.proposal.operations],
                    "subtotal": _number(p.after.subtotal),
                    "total": _number(p.after.total),
                    "changes": [
                        {
                            "deliverable": c.deliverable,
                            "status": c.status,
                            "before_days": None if c.before_days is None else _number(c.before_days),
                            "after_days": None if c.after_days is None else _number(c.after_days),
                        }
                        for c in p.changes
                    ],
                }
                for index, p in enumerate(previews, start=1)
            ]
        )
        return 0
    currency = previews[0].after.pricing.currency if previews else project.pricing.currency
    for index, p in enumerate(previews, start=1):
        print(f"{index}. {p.proposal.title}")
        if p.proposal.understood:
            print("   " + t("workflow.understood", lang, understood=p.proposal.understood))
        if p.proposal.reason:
            print(f"   {p.proposal.reason}")
        for c in p.changes:
            before = "—" if c.before_days is None else format_number(c.before_days, lang)
            after = "—" if c.after_days is None else format_number(c.after_days, lang)
            print(f"   {c.deliverable}: {before} → {after}")
        print("   " + t("cli.total", lang, value=format_money(p.after.total, currency, lang)).strip())
    print(t("cli.adjust.hint", lang, project=project.id))
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    workflow = open_workflow(settings)
    if args.pdf:
        _name, document = workflow.export_quote_pdf(args.project, args.version)
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(document)
        print(t("cli.export.pdf_done", args.lang, path=str(output)))
        return 0
    path = _export(workflow, args.project, args.version, Path(args.output))
    print(t("cli.export.done", args.lang, path=str(path)))
    return 0


def cmd_rates_export(args: argparse.Namespace, settings: Settings) -> int:
    workflow = open_workflow(settings)
    version = workflow.rate_table(args.version).version
    text = workflow.export_rates(version)
    output = Path(args.file)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandFailed(t("cli.cannot_write", args.lang, path=args.file, reason=error.strerror or error)) from None
    print(t("cli.rates.exported", args.lang, version=version, path=args.file))
    return 0


def cmd_rates_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a rate table CSV as a new version; the file's bytes go as they are, decoded as Excel saved them."""
    source, data = _read_file(args.file, args.lang)
    note = source.name if args.note is None else args.note
    table = open_workflow(settings).import_rates(data, user=CLI_USER, note=note)
    print(t("cli.rates.imported", args.lang, path=args.file, version=table.version))
    return 0


def build_parser(default_lang: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m estimator", description="Estimator — 見積り from deliverables.")
    parser.add_argument("--lang", choices=("ja", "en"), default=default_lang, help="language of messages")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str,
        handler: Callable[[argparse.Namespace, Settings], int] | None,
        text: str,
        under: argparse._SubParsersAction[argparse.ArgumentParser] = commands,
    ) -> argparse.ArgumentParser:
        """A command (`under` another one's actions when given); one without a handler only groups actions."""
        sub = under.add_parser(name, help=text, description=text)
        if handler is not None:
            sub.set_defaults(handler=handler)
        sub.add_argument(
            "--lang", choices=("ja", "en"), default=argparse.SUPPRESS, help="language of messages and of a new project"
        )
        return sub

    add(
        "check",
        cmd_check,
        "settings summary (no secrets), database, migration state and engine; exit 1 when something is wrong",
    )
    add("init-db", cmd_init_db, "create or upgrade the database schema")
    sub = add("list", cmd_list, "list projects, newest first")
    sub.add_argument("--search", help="match title, client or quote number")
    sub.add_argument("--status", choices=STATUS_VALUES, help="only projects in this status")
    sub.add_argument("--json", action="store_true", help="print JSON")
    sub = add("status", cmd_status, "move a project along its life: submitted, won, done, lost, withdrawn")
    sub.add_argument("project", type=int, help="project id")
    sub.add_argument("status", choices=STATUS_VALUES, help="the new status (estimating: back to 見積中)")
    sub.add_argument("--version", type=int, help="with submitted: the version sent (default: newest)")
    sub = add("actuals", cmd_actuals, "import actual effort from a timesheet (.csv/.xlsx) of a won or done project")
    sub.add_argument("project", type=int, help="project id")
    sub.add_argument("file", help="timesheet export: deliverable (or task), phase (optional), effort and its unit")
    sub.add_argument(
        "--unit",
        choices=tuple(unit.value for unit in EffortUnit),
        help="unit of an effort column whose header names none (default: the header's or the unit column's)",
    )
    sub.add_argument(
        "--change-requests", action="store_true", help="record rows that match no line as lines added in delivery"
    )
    sub.add_argument("--skip-invalid", action="store_true", help="take the valid rows when some rows have problems")
    sub.add_argument("--json", action="store_true", help="print JSON")
    sub = add(
        "accuracy",
        cmd_accuracy,
        "how completed projects' estimates compared with their actuals, and the factors learned",
    )
    sub.add_argument("--project", type=int, help="one project's estimate against the actuals recorded for it")
    sub.add_argument("--json", action="store_true", help="print JSON")
    sub = add("show", cmd_show, "show a project's newest (or a given) estimate version")
    sub.add_argument("project", type=int, help="project id")
    sub.add_argument("--version", type=int, help="version number (default: newest)")
    sub.add_argument("--json", action="store_true", help="print JSON")
    sub = add("backup", cmd_backup, "write a consistent copy of the SQLite database (online backup API)")
    sub.add_argument("-o", "--output", required=True, help="backup file to write")
    sub = add("restore", cmd_restore, "replace the database with a checked backup (the current one is kept)")
    sub.add_argument("file", help="backup file")
    sub = add("purge", cmd_purge, "delete projects not updated for DAYS days")
    sub.add_argument("--older-than", type=int, required=True, metavar="DAYS", help="age in days")
    sub.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    sub = add("propose-deliverables", cmd_propose_deliverables, "propose the deliverables an RFP document names")
    sub.add_argument("file", help="the document: .pdf, .docx, .xlsx, .md or .txt")
    sub.add_argument("--json", action="store_true", help="print the proposal as JSON")
    sub = add("import-legacy", cmd_import_legacy, "import the legacy system's app.db (read-only, once per task)")
    sub.add_argument("app_db", metavar="APP_DB", help="the legacy SQLite database (app.db); never written to")
    sub.add_argument("--dry-run", action="store_true", help="only print what would be imported")
    sub.add_argument("--json", action="store_true", help="print the report as JSON")
    add("serve", cmd_serve, "start the web app on HOST:PORT")
    sub = add("estimate", cmd_estimate, "estimate a deliverables file (.csv/.xlsx) end to end")
    sub.add_argument("input", help="deliverables file")
    sub.add_argument("--requirements", help="text file with the system requirements")
    sub.add_argument("--answers", help="JSON file {question key: answer}")
    sub.add_argument("--title", help="project title (default: the file name)")
    sub.add_argument("--client", help="client name")
    sub.add_argument("--skip-invalid", action="store_true", help="take the valid rows when some rows have problems")
    sub.add_argument("--json", action="store_true", help="print JSON")
    sub.add_argument("-o", "--output", help="also write the Excel quote here")
    sub.add_argument(
        "--no-calibration",
        action="store_true",
        help="do not apply the factors learned from completed projects' actuals (the project keeps this choice)",
    )
    sub = add("adjust", cmd_adjust, "propose adjustments for a request; --apply N applies proposal N")
    sub.add_argument("project", type=int, help="project id")
    sub.add_argument("request", help='e.g. "あと30万円安く" or "cut testing by 20%%"')
    sub.add_argument("--apply", type=int, metavar="N", help="apply proposal N and print the new version")
    sub.add_argument("--json", action="store_true", help="print JSON")
    sub.add_argument("-o", "--output", help="with --apply: also write the Excel quote here")
    sub = add("export", cmd_export, "write the quote of a version: Excel, or PDF with --pdf")
    sub.add_argument("project", type=int, help="project id")
    sub.add_argument("--version", type=int, help="version number (default: newest)")
    sub.add_argument("--pdf", action="store_true", help="write the PDF quote instead of the workbook")
    sub.add_argument("-o", "--output", required=True, help="the .xlsx (or, with --pdf, .pdf) file to write")
    rates = add("rates", None, "export or import the productivity tables (rate tables) as CSV")
    actions = rates.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub = add("export", cmd_rates_export, "write a rate table version as CSV", actions)
    sub.add_argument("file", help="the .csv file to write")
    sub.add_argument("--version", type=int, help="rate table version (default: the current one)")
    sub = add("import", cmd_rates_import, "store a rate table CSV as a new version (checked first)", actions)
    sub.add_argument("file", help="the .csv file to read (UTF-8, or Shift_JIS as Japanese Excel saves it)")
    sub.add_argument("--note", help="note stored with the new version (default: the file name)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        if any(flag in arguments for flag in ("-h", "--help")):
            build_parser("ja").parse_args(arguments)
        print(str(error), file=sys.stderr)
        return 1
    args = build_parser(settings.language).parse_args(arguments)
    try:
        code: int = args.handler(args, settings)
        return code
    except CommandFailed as error:
        print(str(error), file=sys.stderr)
        return 1
    except EstimatorError as error:
        print(t(error.key, args.lang, **error.values), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
