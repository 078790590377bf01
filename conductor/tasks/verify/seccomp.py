"""The system-call filter every sandboxed candidate runs under (classic BPF, loaded by `bwrap --seccomp`).

Why a filter on top of the namespaces: rlimits bound one process, not a family. A program that may not start
processes gets no fork at all (fork, vfork, clone without CLONE_THREAD, posix_spawn), so its memory limit is
the limit of the whole run; threads stay allowed. And whatever the task, a candidate may not make namespaces
(unshare, setns, clone with CLONE_NEW*), mount, trace other processes, or use the kernel interfaces container
runtimes refuse by default for their attack surface (bpf, perf_event_open, userfaultfd, io_uring, keyrings,
kernel modules, kexec, ...). Refused calls fail with EPERM; clone3 fails with ENOSYS, as in Docker's profile,
because its flags sit behind a pointer a filter cannot read, and libc then falls back to clone.

Built by hand (a few dozen instructions) for x86_64 and aarch64; on another architecture there is no filter
and isolation.py says so.
"""

from __future__ import annotations

import errno
import platform
import struct

# struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]
_NR, _ARCH, _ARG0_LOW = 0, 4, 16
_LD_W_ABS, _JEQ_K, _JSET_K, _JGE_K, _RET_K = 0x20, 0x15, 0x45, 0x35, 0x06
_ALLOW = 0x7FFF0000
_KILL_PROCESS = 0x80000000
_ERRNO = 0x00050000
_X32_BIT = 0x40000000

CLONE_THREAD = 0x00010000
CLONE_NEW_ANY = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x80

_DENIED = (
    "unshare setns mount umount2 pivot_root chroot ptrace process_vm_readv process_vm_writev keyctl add_key "
    "request_key bpf perf_event_open userfaultfd io_uring_setup io_uring_enter io_uring_register kexec_load "
    "kexec_file_load init_module finit_module delete_module reboot swapon swapoff acct open_by_handle_at "
    "name_to_handle_at fsopen fsconfig fsmount fspick move_mount open_tree mount_setattr quotactl syslog"
).split()

_ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (
        0xC000003E,
        dict(
            fork=57, vfork=58, clone=56, clone3=435, unshare=272, setns=308, mount=165, umount2=166,
            pivot_root=155, chroot=161, ptrace=101, process_vm_readv=310, process_vm_writev=311, keyctl=250,
            add_key=248, request_key=249, bpf=321, perf_event_open=298, userfaultfd=323, io_uring_setup=425,
            io_uring_enter=426, io_uring_register=427, kexec_load=246, kexec_file_load=320, init_module=175,
            finit_module=313, delete_module=176, reboot=169, swapon=167, swapoff=168, acct=163,
            open_by_handle_at=304, name_to_handle_at=303, fsopen=430, fsconfig=431, fsmount=432, fspick=433,
            move_mount=429, open_tree=428, mount_setattr=442, quotactl=179, syslog=103,
        ),
    ),
    "aarch64": (
        0xC00000B7,
        dict(
            clone=220, clone3=435, unshare=97, setns=268, mount=40, umount2=39, pivot_root=41, chroot=51,
            ptrace=117, process_vm_readv=270, process_vm_writev=271, keyctl=219, add_key=217, request_key=218,
            bpf=280, perf_event_open=241, userfaultfd=282, io_uring_setup=425, io_uring_enter=426,
            io_uring_register=427, kexec_load=104, kexec_file_load=294, init_module=105, finit_module=273,
            delete_module=106, reboot=142, swapon=224, swapoff=225, acct=89, open_by_handle_at=265,
            name_to_handle_at=264, fsopen=430, fsconfig=431, fsmount=432, fspick=433, move_mount=429,
            open_tree=428, mount_setattr=442, quotactl=60, syslog=116,
        ),
    ),
}  # fmt: skip


def supported() -> bool:
    return platform.machine() in _ARCHES


def program(allow_processes: bool) -> bytes:
    """The filter as `struct sock_filter[]` bytes, for this machine's architecture (ValueError elsewhere)."""
    machine = platform.machine()
    if machine not in _ARCHES:
        raise ValueError(f"no seccomp filter for {machine}")
    arch, nr = _ARCHES[machine]
    # Instructions as (code, jump-if-true label, jump-if-false label, k); labels resolve to relative offsets.
    ins: list[tuple[int, str | None, str | None, int]] = [
        (_LD_W_ABS, None, None, _ARCH),
        (_JEQ_K, None, "kill", arch),
        (_LD_W_ABS, None, None, _NR),
    ]
    if machine == "x86_64":
        ins.append((_JGE_K, "deny", None, _X32_BIT))
    ins += [(_JEQ_K, "deny", None, nr[name]) for name in _DENIED]
    ins.append((_JEQ_K, "nosys", None, nr["clone3"]))
    if not allow_processes:
        ins += [(_JEQ_K, "deny", None, nr[name]) for name in ("fork", "vfork") if name in nr]
    ins += [
        (_JEQ_K, None, "allow", nr["clone"]),
        (_LD_W_ABS, None, None, _ARG0_LOW),
        (_JSET_K, "deny", None, CLONE_NEW_ANY),
    ]
    ins.append((_JSET_K, "allow", "deny", CLONE_THREAD) if not allow_processes else (_RET_K, None, None, _ALLOW))
    labels = {"allow": _ALLOW, "deny": _ERRNO | errno.EPERM, "nosys": _ERRNO | errno.ENOSYS, "kill": _KILL_PROCESS}
    at = {name: len(ins) + i for i, name in enumerate(labels)}
    out = []
    for i, (code, jt, jf, k) in enumerate(ins):
        t = at[jt] - i - 1 if jt else 0
        f = at[jf] - i - 1 if jf else 0
        assert 0 <= t < 256 and 0 <= f < 256
        out.append(struct.pack("=HBBI", code, t, f, k))
    out += [struct.pack("=HBBI", _RET_K, 0, 0, value) for value in labels.values()]
    return b"".join(out)
