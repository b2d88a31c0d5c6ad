"""The test run must not read outside the repository.

A user clones the repository with nothing beside it, so a test (or the code it runs)
that reads a folder next to the clone passes here and fails for them.
An audit hook sees every ``open``/``listdir``/``scandir`` of this process; a path in
a folder that stood beside the repository when the run started is recorded, and
``conftest`` fails the test that made it. Scratch space (pytest's temporary root, and
folders made during the run) is not a sibling, so a clone in /tmp still works.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_EVENTS = {"open", "os.listdir", "os.scandir"}


class OutsideReads:
    """Records reads of folders beside the repository (those present when it was made)."""

    def __init__(self, root: Path, scratch: Path) -> None:
        self.root = str(root)
        parent = root.parent
        ignored = {root.name}
        if scratch.is_relative_to(parent):
            ignored.add(scratch.relative_to(parent).parts[0])
        self.siblings = tuple(os.path.join(parent, name) for name in sorted(os.listdir(parent)) if name not in ignored)
        self.found: list[str] = []

    def is_outside(self, path: str) -> bool:
        absolute = os.path.abspath(path)
        return any(absolute == sibling or absolute.startswith(sibling + os.sep) for sibling in self.siblings)

    def __call__(self, event: str, args: tuple[object, ...]) -> None:
        if event not in _EVENTS or not args:
            return
        path = args[0]
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if isinstance(path, str) and path and self.is_outside(path):
            self.found.append(path)

    def take(self) -> list[str]:
        found, self.found = self.found, []
        return found


def install(scratch: Path) -> OutsideReads:
    """Start recording for the rest of the process (audit hooks cannot be removed)."""
    recorder = OutsideReads(ROOT, scratch)
    sys.addaudithook(recorder)
    return recorder
