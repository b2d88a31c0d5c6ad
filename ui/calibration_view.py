"""Calibration as the analyst sees it: the factors with their evidence, and on the Estimate page the total
with and without them and the project's switch.

The factors come from `Workflow.calibration` (what a new estimate would use) or from a version
(what it was generated with, stored with it); both are shown the same way.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from estimator.errors import EstimatorError
from estimator.schemas import Calibration, CalibrationFactor, PricedEstimate, ProjectDetail, VersionSummary
from ui.context import flash, show_error, tr, workflow
from ui.formatting import money, number


def subject(factor: CalibrationFactor) -> str:
    """What a factor corrects: a kind (of a type, when it is the type's own) or a phase's share."""
    if factor.kind is not None:
        label = tr(f"kind.{factor.kind.value}")
    else:
        label = tr("calibration.phase_subject", phase=tr(f"phase.{factor.phase}"))
    if factor.project_type is not None:
        label = tr("calibration.typed_subject", subject=label, project_type=tr(f"sizing.type.{factor.project_type}"))
    return label


def factors_frame(calibration: Calibration) -> pd.DataFrame:
    """One row per factor: what it corrects, the factor, the median it was shrunk from, its evidence, its state."""
    return pd.DataFrame(
        [
            {
                tr("calibration.column.subject"): subject(factor),
                tr("calibration.column.factor"): f"×{factor.factor}",
                tr("calibration.column.median"): f"×{factor.median_ratio}",
                tr("calibration.column.projects"): factor.projects,
                tr("calibration.column.lines"): factor.lines,
                tr("calibration.column.source"): tr(
                    "calibration.source.all" if factor.engine is None else f"calibration.source.{factor.engine}"
                ),
                tr("calibration.column.state"): tr(
                    "calibration.state.used" if factor.used else "calibration.state.waiting"
                ),
            }
            for factor in calibration.factors
        ],
        columns=[
            tr(f"calibration.column.{name}")
            for name in ("subject", "factor", "median", "projects", "lines", "source", "state")
        ],
    )


def factors_table(calibration: Calibration) -> None:
    """The factors and the method they were learned by; a line when there are none yet."""
    if not calibration.factors:
        st.info(tr("calibration.none_yet"))
    else:
        # Tall enough for every factor (a kind, its type's own, each phase: some 20 rows), no inner scrollbar.
        rows = min(len(calibration.factors), 40)
        st.dataframe(
            factors_frame(calibration),
            hide_index=True,
            width="stretch",
            height=38 + 35 * rows,
            key="calibration_factors",
        )
    st.caption(tr("calibration.method"))


def version_summary(project: ProjectDetail, version: VersionSummary, estimate: PricedEstimate) -> None:
    """Under the Estimate page's totals: the total without calibration, the factors the version used, the switch."""
    flow = workflow()
    used = version.calibration.applied
    if used and any(item.line.calibration != 1 for item in estimate.lines):
        plain = flow.uncalibrated(project.id, version.number)
        st.caption(
            tr(
                "calibration.totals",
                with_total=money(estimate.total, estimate.pricing.currency),
                without_total=money(plain.total, plain.pricing.currency),
                with_days=number(estimate.person_days),
                without_days=number(plain.person_days),
            )
        )
    with st.popover(tr("calibration.expander"), icon=":material/insights:", key="calibration_popover"):
        if not flow.calibration_enabled():
            st.info(tr("calibration.off_globally"))
        elif used:
            st.markdown(tr("calibration.version_used", count=version.calibration.completed))
            factors_table(version.calibration)
        else:
            st.markdown(tr("calibration.version_none"))
        switch(project)


def switch(project: ProjectDetail) -> None:
    """The project's own switch; it takes effect at the next generated estimate (versions keep theirs)."""
    wanted = st.toggle(
        tr("calibration.switch"),
        value=project.calibration,
        help=tr("calibration.switch_help"),
        key=f"calibration_switch_{project.id}_{project.row_version}",
        disabled=not workflow().calibration_enabled(),
    )
    if wanted != project.calibration:
        try:
            workflow().set_calibration(project.id, wanted, expected_row_version=project.row_version)
        except EstimatorError as error:
            show_error(error)
            return
        flash(tr("calibration.switched_on" if wanted else "calibration.switched_off"))
        st.rerun()
