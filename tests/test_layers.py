"""The layer contracts in pyproject.toml: complete, and able to fail.

`lint-imports` runs in ./test.sh; these tests make sure its contracts name every
module of the domain (a new module cannot slip past the page rule unnoticed) and
that a page reaching into the store really breaks the build.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_MAY_IMPORT = {"estimator.workflow", "estimator.schemas", "estimator.errors", "estimator.i18n", "estimator.config"}


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    return {contract["name"]: contract for contract in config["contracts"]}


def _domain_modules() -> set[str]:
    """The importable modules and packages directly under estimator/ (migrations is Alembic's folder, not a package)."""
    found = set()
    for path in (ROOT / "estimator").iterdir():
        if path.suffix == ".py" and path.stem != "__init__":
            found.add(f"estimator.{path.stem}")
        elif path.is_dir() and (path / "__init__.py").exists():
            found.add(f"estimator.{path.name}")
    return found


def _contract(prefix: str) -> dict:
    return next(contract for name, contract in _contracts().items() if name.startswith(prefix))


def test_pages_and_ui_may_import_exactly_the_allowed_modules() -> None:
    forbidden = set(_contract("Pages and ui")["forbidden_modules"]) - {"sqlalchemy"}
    assert forbidden == _domain_modules() - PAGE_MAY_IMPORT


def test_the_command_line_may_also_use_operations_and_nothing_else() -> None:
    forbidden = set(_contract("The command line")["forbidden_modules"]) - {"sqlalchemy"}
    assert forbidden == _domain_modules() - PAGE_MAY_IMPORT - {"estimator.operations", "estimator.__main__"}


def test_every_domain_module_has_its_layer() -> None:
    layered = {
        module.strip()
        for layer in _contract("The layers run one way")["layers"]
        for module in layer.replace(":", "|").split("|")
    }
    assert _domain_modules() <= layered


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_page_reaching_into_the_store_breaks_the_contracts(tmp_path: Path) -> None:
    for folder in ("estimator", "ui", "pages"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    kept = _lint(tmp_path)
    assert kept.returncode == 0, kept.stdout[-2000:]

    page = tmp_path / "pages" / "usage.py"
    page.write_text(page.read_text(encoding="utf-8") + "\nimport estimator.store  # noqa\n", encoding="utf-8")
    broken = _lint(tmp_path)
    assert broken.returncode != 0
    assert "pages.usage -> estimator.store" in broken.stdout
