#!/usr/bin/env python3
"""The console's start on a data dir with 100,000 known Hive patrons (issue 20, item 3).

Runs the real binary in a pseudo-terminal (120x40) and reports, per binary, medians of
RUNS starts (each in a fresh copy of the data dir, the binaries alternating):

- first frame: from spawning the process to the first output showing the patron pane's
  title ("Patrons");
- patrons shown: to the output showing "100000 known";
- peak RSS: the process's VmHWM once the patrons are shown (after 300 ms more).

The data dir holds `workspace-bench.json` as older tagdesks wrote it (indented JSON, two
confirmed tags per patron), no journal; the profile has only Hive, pointed at a closed port
(nothing is sent at start). A fresh data dir is measured too.

    python3 benches/console_start.py target/release/tagdesk [/path/to/older/tagdesk]
"""

import json
import os
import pty
import select
import shutil
import signal
import statistics
import sys
import tempfile
import time

PATRONS = 100_000
RUNS = 5


def workspace():
    at = "2026-12-06T10:00:00.000000Z"
    return {
        "patrons": [
            {
                "id": f"patron_{i:06}",
                "tags": [
                    {"api_field": "vip", "confirmed_at": at},
                    {"api_field": "newsletter", "confirmed_at": at},
                ],
                "note": "last add confirmed by Hive",
                "confirmed_at": at,
                "complete": True,
            }
            for i in range(PATRONS)
        ],
        "cerego_lookups": [],
    }


def peak_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def start(binary, config, data, root, want):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGDESK_")}
    env.update(
        TERM="xterm-256color",
        HOME=os.path.join(root, "home"),
        XDG_CONFIG_HOME=os.path.join(root, "xdg"),
        TAGDESK_DATA_DIR=data,
        BENCH_HIVE_KEY="bench-hive-key-0123456789",
        COLUMNS="120",
        LINES="40",
    )
    began = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        import fcntl
        import struct
        import termios

        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.execve(binary, [binary, "--config", config, "--no-mouse"], env)
    seen = b""
    first = shown = None
    deadline = began + 60
    while shown is None and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break
            seen += chunk
            now = time.monotonic() - began
            if first is None and b"Patrons" in seen:
                first = now
            if first is not None and want.encode() in seen:
                shown = now
    time.sleep(0.3)
    peak = peak_kib(pid)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    if first is None or shown is None:
        raise SystemExit(f"{binary}: never showed {want!r}")
    return first, shown, peak


def main():
    binaries = sys.argv[1:]
    if not binaries:
        raise SystemExit(__doc__)
    root = tempfile.mkdtemp()
    os.makedirs(os.path.join(root, "home"))
    config = os.path.join(root, "config.toml")
    with open(config, "w") as f:
        f.write(
            'default_profile = "bench"\n[profiles.bench.hive]\n'
            'base_url = "http://127.0.0.1:9"\napi_key_env = "BENCH_HIVE_KEY"\n'
        )
    os.chmod(config, 0o600)
    snapshot = os.path.join(root, "workspace-bench.json")
    with open(snapshot, "w") as f:
        json.dump(workspace(), f, indent=2)
    print(
        f"console start, {PATRONS} known Hive patrons "
        f"({os.path.getsize(snapshot) / 1e6:.1f} MB indented snapshot); medians of {RUNS}"
    )
    for fresh in (True, False):
        results = {b: [] for b in binaries}
        for run in range(RUNS):
            for i, binary in enumerate(binaries):
                data = os.path.join(root, f"data-{fresh}-{i}-{run}")
                os.makedirs(data)
                if not fresh:
                    shutil.copy(snapshot, os.path.join(data, "workspace-bench.json"))
                want = "0 known" if fresh else f"{PATRONS} known"
                results[binary].append(start(binary, config, data, root, want))
                shutil.rmtree(data)
        label = "a fresh data dir" if fresh else f"{PATRONS:,} known patrons"
        for binary, r in results.items():
            first = statistics.median(x[0] for x in r) * 1000
            shown = statistics.median(x[1] for x in r) * 1000
            peak = statistics.median(x[2] for x in r) / 1024
            print(
                f"{label}, {binary}: first frame {first:.1f} ms, patrons shown "
                f"{shown:.1f} ms, peak RSS {peak:.0f} MiB"
            )
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
