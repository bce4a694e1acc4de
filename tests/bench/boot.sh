#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot benchmark: our ./linux against upstream User-Mode Linux
# (build/upstream/linux, made by tests/bench/upstream-uml.sh), in one run.
#
#   boot time  exec of `<bin> mem=256M` until the "VFS: Unable to mount root
#              fs" panic line appears on stdout (no disk, so init ends there);
#              RUNS runs each (default 5), median and min.
#   idle RSS   `<bin> mem=256M root=/dev/nothing rootwait`, 3 s after
#              "Waiting for root device": VmRSS (and PSS) summed over the
#              main process and all its descendants, each address space once;
#              median of IDLE_RUNS runs (default 5).
#   Debian     `<bin> ubd0=OVERLAY,IMG mem=512M` with the Debian systemd image
#              (DEBIAN_IMG, default build/images/debian-systemd.img, made by
#              tests/lib/debian.sh; skipped when missing), each run on a
#              fresh copy-on-write overlay (ours made by tools/ubd-cow,
#              upstream makes its own), until systemd says it reached
#              multi-user.target; DEBIAN_RUNS runs each (default 3).
#
# Usage: tests/bench/boot.sh            (RUNS=n, IDLE_RUNS=n change the repeats;
#                                       0 leaves a part out)
# UPSTREAM=PATH: upstream's binary, when built in another tree.
# As root, guests run as nobody (uid/gid 65534) through setpriv.
# This prints figures; it is a benchmark, not a test.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
command -v python3 >/dev/null || { echo "boot.sh: needs python3 (apt-get install -y python3)" >&2; exit 1; }
# The Python program comes on stdin; the guests get /dev/null as stdin.
exec python3 - "$TOP" <<'PY'
import ctypes, os, select, shutil, signal, statistics, subprocess, sys, tempfile, time

TOP = sys.argv[1]
RUNS = int(os.environ.get("RUNS", "5"))
IDLE_RUNS = int(os.environ.get("IDLE_RUNS", "5"))
TIMEOUT = 120.0                       # seconds for any one boot
PANIC = b"VFS: Unable to mount root fs"
WAITING = b"Waiting for root device"
NOBODY = 65534
BINS = [("ours", os.path.join(TOP, "linux")),
        ("upstream", os.environ.get("UPSTREAM") or os.path.join(TOP, "build/upstream/linux"))]

# Become a child subreaper: a guest helper whose parent dies is re-parented
# to us rather than to init, so walking our descendants still finds it (for
# RSS and for killing) and we reap it ourselves.
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER

# A private HOME/TMPDIR for the guests on tmpfs (upstream UML puts its
# memory file in TMPDIR and its ~/.uml/<umid> directory in HOME).
priv = tempfile.mkdtemp(prefix="bench-boot.", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
prefix = []
if os.geteuid() == 0:
    os.chown(priv, NOBODY, NOBODY)
    prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
env = {"PATH": "/usr/bin:/bin", "HOME": priv, "TMPDIR": priv, "LANG": "C"}


def procs():
    """{pid: (ppid, pgrp, session)} of every live, non-zombie process."""
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    rest = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if rest[0] != "Z":
                out[int(d)] = (int(rest[1]), int(rest[2]), int(rest[3]))
    return out


def guest_procs():
    """All our live descendants.  One guest runs at a time and, as subreaper,
    we inherit its orphans, so this is exactly the guest's processes."""
    ps, found, todo = procs(), [], [os.getpid()]
    while todo:
        p = todo.pop()
        kids = [c for c, v in ps.items() if v[0] == p]
        found += kids
        todo += kids
    return found


def reap():
    """Reap dead children; True once we have no children left at all."""
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return False
        except ChildProcessError:
            return True


def kill_all(pid):
    """SIGKILL the guest's tree, process group and session, until none is left."""
    for _ in range(100):
        left = set(guest_procs()) | {p for p, v in procs().items() if pid in (v[1], v[2])}
        if reap() and not left:
            return
        for p in left:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.05)
    print(f"boot.sh: WARNING: processes of guest {pid} survive: {sorted(left)}", file=sys.stderr)


def start(binary, args):
    """Start a guest in its own session; return (pid, stdout fd, t0).
    Its own session also matters because upstream UML, when it panics,
    SIGTERMs its whole process group (kill(0, ...))."""
    r, w = os.pipe()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            os.chdir(priv)
            fd = os.open("/dev/null", os.O_RDONLY)
            os.dup2(fd, 0)
            os.dup2(w, 1)
            os.dup2(w, 2)
            os.closerange(3, 1024)
            argv = prefix + [binary] + args
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    os.close(w)
    return pid, r, t0


def wait_for(binary, args, marker):
    """Boot until marker is seen on stdout; return (pid, fd, seconds) or raise."""
    pid, fd, t0 = start(binary, args)
    buf = b""
    try:
        while True:
            left = t0 + TIMEOUT - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"no {marker.decode()!r} within {TIMEOUT:.0f} s")
            # Wake up now and then to notice the main process exiting: a
            # leftover helper may hold the pipe open, so EOF may never come.
            if not select.select([fd], [], [], min(left, 0.1))[0]:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    raise RuntimeError(f"exited (wait status {status:#x}) before {marker.decode()!r}")
                continue
            chunk = os.read(fd, 65536)
            now = time.monotonic()
            if not chunk:
                raise RuntimeError(f"closed its output before {marker.decode()!r}")
            buf += chunk
            if marker in buf:
                return pid, fd, now - t0
    except BaseException as e:
        kill_all(pid)
        os.close(fd)
        if not isinstance(e, RuntimeError):
            raise
        tail = b"\n".join(buf.splitlines()[-15:]).decode(errors="replace")
        raise RuntimeError(f"{binary}: {e}; last output:\n{tail}") from None


def boot_time(binary):
    pid, fd, secs = wait_for(binary, ["mem=256M"], PANIC)
    kill_all(pid)
    os.close(fd)
    return secs


def drain(fd, secs):
    """Keep reading the console for secs so the guest never blocks on a full pipe."""
    end = time.monotonic() + secs
    while (left := end - time.monotonic()) > 0:
        if select.select([fd], [], [], left)[0] and not os.read(fd, 65536):
            time.sleep(max(0, end - time.monotonic()))


def status_kb(pid, path, key):
    try:
        with open(f"/proc/{pid}/{path}") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def distinct_mms(pids):
    """One pid per address space.  Upstream UML's helpers are clone(CLONE_VM)
    children sharing the kernel's memory; counting each would count it thrice.
    kcmp(KCMP_VM) tells whether two processes share one mm."""
    out = []
    for p in pids:
        if all(libc.syscall(312, p, q, 0, 0, 0) != 0 for q in out):  # SYS_kcmp, KCMP_VM
            out.append(p)
    return out


def idle_memory(binary):
    pid, fd, _ = wait_for(binary, ["mem=256M", "root=/dev/nothing", "rootwait"], WAITING)
    try:
        drain(fd, 3.0)
        pids = distinct_mms(guest_procs())
        fig = {"idle host address spaces": len(pids)}
        for name, path, key in [("idle host RSS, sum", "status", "VmRSS"),
                                ("  of which shmem", "status", "RssShmem"),
                                ("idle host PSS, sum", "smaps_rollup", "Pss")]:
            kb = [status_kb(p, path, key) for p in pids]
            fig[name] = None if None in kb else sum(kb) / 1024
        return fig
    finally:
        kill_all(pid)
        os.close(fd)


DEBIAN_IMG = os.environ.get("DEBIAN_IMG",
                            os.path.join(TOP, "build/images/debian-systemd.img"))
DEBIAN_RUNS = int(os.environ.get("DEBIAN_RUNS", "3"))
MULTI_USER = b"- Multi-User System"


def debian_boot(name, binary, run):
    """Seconds from exec to multi-user.target on a fresh overlay."""
    cow = os.path.join(priv, f"debian-{name}-{run}.cow")
    if name == "ours":
        subprocess.run([os.path.join(TOP, "tools/ubd-cow"), "create", cow,
                        DEBIAN_IMG], check=True, capture_output=True)
        if os.geteuid() == 0:
            os.chown(cow, NOBODY, NOBODY)
    try:
        pid, fd, secs = wait_for(binary, [f"ubd0={cow},{DEBIAN_IMG}",
                                          "mem=512M"], MULTI_USER)
        kill_all(pid)
        os.close(fd)
        return secs
    finally:
        if os.path.exists(cow):
            os.unlink(cow)


def debian_bench(present):
    if not os.access(DEBIAN_IMG, os.R_OK):
        print(f"boot.sh: no Debian image at {DEBIAN_IMG}; its boot is left out")
        return {}
    times = {n: [] for n, _ in present}
    for i in range(DEBIAN_RUNS):
        for name, b in present:
            try:
                times[name].append(debian_boot(name, b, i))
                print(f"boot.sh: {name} Debian run {i + 1}: {times[name][-1]:.2f} s to multi-user", flush=True)
            except (RuntimeError, subprocess.CalledProcessError) as e:
                print(f"boot.sh: {name} Debian boot failed: {e}", file=sys.stderr)
    return {n: statistics.median(t) * 1000 for n, t in times.items() if t}


def main():
    present = []
    for name, b in BINS:
        if not os.access(b, os.X_OK):
            hint = "run make" if name == "ours" else "run tests/bench/upstream-uml.sh"
            print(f"boot.sh: {name}: {b} is missing ({hint}); skipping it")
        else:
            present.append((name, b))
    if not present:
        return 1

    times = {n: [] for n, _ in present}
    failed = {}
    # Interleave the runs so a busy host hurts both sides alike.
    for i in range(RUNS):
        for name, b in present:
            if name in failed:
                continue
            try:
                times[name].append(boot_time(b))
                print(f"boot.sh: {name} run {i + 1}: {times[name][-1] * 1000:.0f} ms", flush=True)
            except RuntimeError as e:
                failed[name] = str(e)
                print(f"boot.sh: {name} boot failed: {e}", file=sys.stderr)

    res = {n: {} for n, _ in BINS}
    for name, b in present:
        if times[name] and name not in failed:
            res[name]["boot time, median"] = statistics.median(times[name]) * 1000
            res[name]["boot time, min"] = min(times[name]) * 1000
        # Guest memory touched by an idle boot varies by a few MiB from run
        # to run, so take the median of IDLE_RUNS.
        try:
            runs = []
            for i in range(IDLE_RUNS):
                runs.append(idle_memory(b))
                print(f"boot.sh: {name} idle run {i + 1}: RSS {runs[-1]['idle host RSS, sum']:.1f} MiB", flush=True)
        except RuntimeError as e:
            failed[name] = str(e)
            print(f"boot.sh: {name} idle run failed: {e}", file=sys.stderr)
            continue
        for fig in (runs[0] if runs else []):
            vals = [r[fig] for r in runs]
            res[name][fig] = None if None in vals else statistics.median(vals)

    for name, ms in debian_bench(present).items():
        res[name]["Debian to multi-user"] = ms
    rows = [("boot time, median", "ms"), ("boot time, min", "ms"),
            ("Debian to multi-user", "ms"),
            ("idle host RSS, sum", "MiB"), ("  of which shmem", "MiB"),
            ("idle host PSS, sum", "MiB"),
            ("idle host address spaces", "")]
    print(f"\n{'figure':<28}{'ours':>10}{'upstream':>10}{'ours/upstream':>15}")
    for fig, unit in rows:
        o, u = res["ours"].get(fig), res["upstream"].get(fig)
        ratio = f"{o / u:.2f}" if o is not None and u else "-"
        cell = lambda v: "-" if v is None else f"{v:.1f}" if unit == "MiB" else f"{v:.0f}"
        label = f"{fig} ({unit})" if unit else fig
        print(f"{label:<28}{cell(o):>10}{cell(u):>10}{ratio:>15}")
    if "ours" not in dict(present):
        print("(ours is missing: build ./linux with make)")
    return 1 if failed else 0


try:
    sys.exit(main())
finally:
    shutil.rmtree(priv, ignore_errors=True)
PY
