"""Issue 11 item 6: an estimate made before the deliverables, requirements or answers changed
says so on the estimate and adjust pages, offers a re-estimate, and its download is labelled
as the earlier version's quote."""

from __future__ import annotations

import pytest

from estimator.i18n import t
from estimator.schemas import Deliverable
from tests.ui_support import estimated_project, flow, opened, texts


def add_a_deliverable(project_id: int) -> None:
    workflow = flow()
    project = workflow.project(project_id)
    items = [Deliverable(name=d.name, description=d.description) for d in project.deliverables]
    workflow.save_deliverables(
        project_id,
        [*items, Deliverable(name="帳票出力", description="月次帳票のPDF出力")],
        requirements=project.system_requirements,
        expected_row_version=project.row_version,
    )


def download_label(at) -> str:  # type: ignore[no-untyped-def]
    button, _pdf = at.get("download_button")
    return str(button.proto.label)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_fresh_estimate_shows_no_notice(lang: str) -> None:
    project_id = estimated_project()
    at = opened(project_id, "pages/estimate.py", lang=lang)

    assert t("estimate.stale.notice", lang, version=1) not in texts(at.warning)
    assert download_label(at) == t("estimate.download", lang)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_changed_deliverables_mark_the_estimate_out_of_date_until_it_is_re_estimated(lang: str) -> None:
    project_id = estimated_project()
    add_a_deliverable(project_id)
    at = opened(project_id, "pages/estimate.py", lang=lang)

    assert t("estimate.stale.notice", lang, version=1) in texts(at.warning)
    assert download_label(at) == t("estimate.download_stale", lang, version=1)
    at.button(key="stale_regenerate").click().run()

    assert [v.number for v in flow().versions(project_id)] == [1, 2]
    assert "帳票出力" in [item.line.deliverable for item in flow().priced(project_id).lines]
    notices = {t("estimate.stale.notice", lang, version=number) for number in (1, 2)}
    assert notices.isdisjoint(texts(at.warning))
    assert download_label(at) == t("estimate.download", lang)


def test_the_adjust_page_warns_before_adjusting_an_out_of_date_estimate() -> None:
    project_id = estimated_project()
    add_a_deliverable(project_id)
    at = opened(project_id, "pages/adjust.py", lang="ja")

    assert t("estimate.stale.notice", "ja", version=1) in texts(at.warning)
    at.button(key="adjust_stale_regenerate").click().run()

    assert flow().version(project_id).number == 2
    assert t("estimate.stale.notice", "ja", version=2) not in texts(at.warning)
