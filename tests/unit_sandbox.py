"""Run a command under the kernel restrictions a systemd unit asks for, without systemd.

`python -m tests.unit_sandbox UNIT_FILE -- COMMAND…` reads the unit's
NoNewPrivileges, MemoryDenyWriteExecute, RestrictAddressFamilies,
SystemCallFilter / SystemCallErrorNumber and UMask, installs the same seccomp
filters systemd 252 (Debian 12, Amazon Linux 2023) installs for them, and execs
the command. The deploy tests start the app behind Apache this way, so a
hardening option the app cannot live with (a JIT or libffi needing writable and
executable memory, a system call outside @system-service) fails a test here
instead of the service on the server. The filters are libseccomp's, called
through ctypes: the same library systemd uses.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import socket
import subprocess
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_CMP_EQ = 4
SCMP_CMP_MASKED_EQ = 7
PROT_WRITE, PROT_EXEC = 0x2, 0x4
SHM_EXEC = 0o100000
PR_SET_NO_NEW_PRIVS = 38
AF_MAX = 46


def scmp_act_errno(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


class ArgCmp(ctypes.Structure):
    """libseccomp's `struct scmp_arg_cmp`: compare one system call argument."""

    _fields_ = (
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    )


@cache
def _libseccomp() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp")
    if not name:
        raise OSError("libseccomp is not installed")
    lib = ctypes.CDLL(name, use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = (ctypes.c_uint32,)
    lib.seccomp_rule_add_array.argtypes = (
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(ArgCmp),
    )
    lib.seccomp_syscall_resolve_name.argtypes = (ctypes.c_char_p,)
    lib.seccomp_load.argtypes = (ctypes.c_void_p,)
    lib.seccomp_release.argtypes = (ctypes.c_void_p,)
    return lib


class Filter:
    """One seccomp filter: a default action and rules, loaded into this process."""

    def __init__(self, default_action: int) -> None:
        self.lib = _libseccomp()
        self.context = self.lib.seccomp_init(default_action)
        if not self.context:
            raise OSError("seccomp_init failed")

    def add(self, action: int, syscall: str, *conditions: tuple[int, int, int, int]) -> None:
        """Add a rule; a system call this architecture does not have is skipped, as systemd does."""
        number = self.lib.seccomp_syscall_resolve_name(syscall.encode())
        if number < 0:
            return
        array = (ArgCmp * len(conditions))(*(ArgCmp(*condition) for condition in conditions))
        result = self.lib.seccomp_rule_add_array(self.context, action, number, len(conditions), array)
        if result < 0:
            raise OSError(-result, f"seccomp rule for {syscall}")

    def load(self) -> None:
        result = self.lib.seccomp_load(self.context)
        self.lib.seccomp_release(self.context)
        if result < 0:
            raise OSError(-result, "seccomp_load")


def parse_unit(text: str) -> dict[str, list[str]]:
    """`Key=value` lines of all sections, values in order (systemd's list settings accumulate)."""
    settings: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def _is_true(values: list[str] | None) -> bool:
    return bool(values) and values[-1].lower() in {"yes", "true", "on", "1"}


@cache
def syscall_groups() -> dict[str, list[str]]:
    """systemd's own named groups (@system-service …) as this systemd defines them."""
    listing = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True, check=True).stdout
    groups: dict[str, list[str]] = {}
    current: list[str] = []
    for raw in listing.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not raw.startswith((" ", "\t")) and line.startswith("@"):
            current = groups.setdefault(line, [])
        else:
            current.append(line)
    return groups


def expand(names: Iterable[str]) -> set[str]:
    """System call names behind a mix of names and @groups."""
    found: set[str] = set()
    for name in names:
        found |= expand(syscall_groups()[name]) if name.startswith("@") else {name}
    return found


def allowed_syscalls(values: list[str]) -> set[str] | None:
    """What SystemCallFilter= lines leave allowed: the first line's allow-list minus `~` lines."""
    allowed: set[str] | None = None
    for value in values:
        deny = value.startswith("~")
        names = expand(value.lstrip("~").split())
        if deny:
            if allowed is not None:
                allowed -= names
        else:
            allowed = names if allowed is None else allowed | names
    return allowed


def apply(unit: dict[str, list[str]]) -> None:
    """Install in this process what the unit asks for; it is inherited across exec."""
    if "UMask" in unit:
        os.umask(int(unit["UMask"][-1], 8))
    if _is_true(unit.get("NoNewPrivileges")):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    if _is_true(unit.get("MemoryDenyWriteExecute")):
        mdwe = Filter(SCMP_ACT_ALLOW)
        eperm = scmp_act_errno(errno.EPERM)
        both = PROT_WRITE | PROT_EXEC
        for call in ("mmap", "mmap2"):
            mdwe.add(eperm, call, (2, SCMP_CMP_MASKED_EQ, both, both))
        for call in ("mprotect", "pkey_mprotect"):
            mdwe.add(eperm, call, (2, SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC))
        mdwe.add(eperm, "shmat", (2, SCMP_CMP_MASKED_EQ, SHM_EXEC, SHM_EXEC))
        mdwe.load()
    if "RestrictAddressFamilies" in unit:
        families = {getattr(socket, name) for name in unit["RestrictAddressFamilies"][-1].split()}
        restrict = Filter(SCMP_ACT_ALLOW)
        for family in set(range(AF_MAX)) - families:
            restrict.add(scmp_act_errno(errno.EAFNOSUPPORT), "socket", (0, SCMP_CMP_EQ, family, 0))
        restrict.load()
    allowed = allowed_syscalls(unit.get("SystemCallFilter", []))
    if allowed is not None:
        code = getattr(errno, unit.get("SystemCallErrorNumber", ["EPERM"])[-1])
        syscalls = Filter(scmp_act_errno(code))
        for name in sorted(allowed):
            syscalls.add(SCMP_ACT_ALLOW, name)
        syscalls.load()


def main(argv: list[str]) -> None:
    unit_file, separator, *command = argv
    if separator != "--" or not command:
        raise SystemExit("usage: python -m tests.unit_sandbox UNIT_FILE -- COMMAND…")
    apply(parse_unit(Path(unit_file).read_text(encoding="utf-8")))
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
