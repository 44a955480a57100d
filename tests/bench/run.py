#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The driver of `make bench` (tests/bench/README.md).

Figures, not pass/fail: each is the median over --runs runs, printed as
a table with its target beside it and written to BUILD/bench.json.

  run.py [--build DIR] [--runs N] [--quick] [--update-baseline]

Parts:
  host   tests/bench/host_drain, natively (it needs no /dev/kvm): the
         host's drain speed over an in-memory ring;
  kvm    `kvmbus run --stats` (the default scenario) and the bench guest
         (`kvmbus run --stats --bench-sink --kernel BUILD/kvmbus-bench.elf`),
         on /dev/kvm -- or, where there is none, inside tests/nested/run.sh
         (this script again, with --kvm-only), whose figures are those of
         a nested KVM under QEMU's software emulator and are labelled so.

Exit status: 0; 1 if a run failed; 3 if the VM exit counts of the
default negotiation grew beyond tests/bench/baseline.json (the figures
are still printed and written first; --update-baseline accepts them).
"""

import argparse
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BASELINE = os.path.join(HERE, "baseline.json")

EXIT_KINDS = ("io", "mmio", "msr", "hypercall", "other")
SIZES = (64, 1024, 4096)
# Console output differs by a few bytes between runs (timings printed by
# the test kernel): tolerated before console growth is flagged.
CONSOLE_SLACK = 32

TARGETS = {
    "setup_ms": 5.0,             # process start -> first guest instruction
    "hypercall_ratio": 1.3,      # HvSignalEvent vs bare port-I/O exit
    "exits_per_1k_64": 10.0,     # under sustained load, 64-byte packets
    "drain_gbps_4k": 1.0,        # host drain of 4 KiB packets
    "vmm_overhead_mib": 4.0,     # peak RSS minus guest memory
}


# ---- small helpers ---------------------------------------------------------

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def kv(text):
    """'a=1 b=x' -> {'a': 1, 'b': 'x'} (ints where they parse)."""
    out = {}
    for tok in text.split():
        if "=" not in tok:
            continue
        k, v = tok.split("=", 1)
        try:
            out[k] = int(v, 0)
        except ValueError:
            out[k] = v
    return out


def parse_stats(stderr):
    """The VMM's 'kvmbus-stats: KIND k=v ...' lines."""
    stats = {"mark": {}}
    for line in stderr.splitlines():
        m = re.match(r"kvmbus-stats: (\w+)(.*)", line)
        if not m:
            continue
        kind, fields = m.group(1), kv(m.group(2))
        if kind == "mark":
            stats["mark"][fields["id"]] = fields
        else:
            stats[kind] = fields
    return stats


def parse_guest(stdout):
    """The bench guest's 'bench: KIND k=v ...' lines, as a list."""
    recs = []
    for line in stdout.splitlines():
        m = re.match(r"bench: (\w+)(.*)", line)
        if m:
            rec = kv(m.group(2))
            rec["_kind"] = m.group(1)
            recs.append(rec)
    return recs


def mark_delta(stats, m0, m1, key):
    return stats["mark"][m1][key] - stats["mark"][m0][key]


def exits_between(stats, m0, m1):
    """Exits of every kind strictly between two marks (m1's own OUT off)."""
    d = {k: mark_delta(stats, m0, m1, k) for k in EXIT_KINDS}
    d["io"] -= 1
    d["console_bytes"] = mark_delta(stats, m0, m1, "console_bytes")
    return d


def run_timed(cmd, timeout):
    """Run cmd; returns (status, stdout, stderr, wall_s, launch_ns)."""
    launch_ns = time.monotonic_ns()      # CLOCK_MONOTONIC, as the VMM's
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=REPO)
    try:
        out, err = p.communicate(timeout=timeout)
        status = p.returncode
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        status = 124
    return status, out.decode(errors="replace"), \
        err.decode(errors="replace"), time.monotonic() - t0, launch_ns


# ---- the host-only part ------------------------------------------------------

def host_part(build, runs, mib):
    exe = os.path.join(build, "tests", "bench", "host_drain")
    per_size = {s: [] for s in SIZES}
    for _ in range(runs):
        out = subprocess.run([exe, str(mib)], check=True, capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            f = kv(line)
            if "size" in f:
                per_size[f["size"]].append(
                    {"gbps": float(f["median_cycle_gbps"]),
                     "mean_gbps": f["bytes"] / f["ns"],
                     "ns_per_packet": f["size"] / float(f["median_cycle_gbps"]),
                     "mpps": float(f["median_cycle_gbps"]) / f["size"] * 1e3})
    return {
        "machine": machine_info(),
        "drain": {str(s): {k: median([r[k] for r in per_size[s]])
                           for k in ("gbps", "mean_gbps", "ns_per_packet",
                                     "mpps")}
                  for s in SIZES},
    }


# ---- the KVM part ----------------------------------------------------------

def machine_load():
    """How busy this machine is: timings on a shared machine say little
    without it."""
    load = {"loadavg_1m": os.getloadavg()[0]}
    try:
        with open("/proc/pressure/cpu") as f:
            load["cpu_pressure_avg60"] = kv(f.readline()).get("avg60")
    except OSError:
        pass
    return load


def machine_info():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    kvm_modules = [m for m in ("kvm_intel", "kvm_amd", "kvm_pvm")
                   if os.path.isdir("/sys/module/" + m)]
    nested = os.environ.get("KVMBUS_NESTED") == "1"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        kind = "no /dev/kvm"
    elif nested:
        kind = ("nested KVM (%s) inside a QEMU TCG guest, tests/nested: "
                "every figure is emulated, ~15-50x slower than native"
                % "+".join(kvm_modules or ["kvm"]))
    else:
        kind = "/dev/kvm (%s)" % "+".join(kvm_modules or ["kvm"])
    return {"cpu": model, "cpus": os.cpu_count(), "kernel": platform.release(),
            "kvm": kind, "nested": nested}


def default_run(build, timeout):
    cmd = [os.path.join(build, "kvmbus"), "run", "--stats",
           "--timeout", str(timeout)]
    status, out, err, wall, _ = run_timed(cmd, timeout + 30)
    st = parse_stats(err)
    if status != 0 or "exits" not in st:
        return {"ok": False, "status": status, "stderr_tail": err[-2000:]}
    ex = st["exits"]
    exits = {k: ex[k] for k in EXIT_KINDS}
    exits["console_bytes"] = ex["console_bytes"]
    exits["io_nonconsole"] = ex["io"] - ex["console_bytes"]
    mem = st.get("memory", {})
    return {"ok": True, "wall_s": wall, "exits": exits,
            "peak_rss_kib": mem.get("peak_rss_kib"),
            "vmm_overhead_kib": mem.get("vmm_overhead_kib"),
            "guest_resident_kib": mem.get("guest_resident_kib")}


def cost_figures(recs, stats, hz):
    """Exit costs: median batch, loop overhead off, in TSC and us."""
    costs = {r["kind"]: r for r in recs
             if r["_kind"] == "cost" and "kind" in r}
    block = next(r for r in recs if r["_kind"] == "costs")
    usig = next(r for r in recs if r["_kind"] == "usersig")

    def rounds(kind):
        return [int(x) for x in str(costs[kind]["tsc"]).split(",")]

    empty = median(rounds("empty")) / block["batch"]
    out = {}
    for kind in ("pio", "mmio", "msr", "hypercall", "hypercall_sink",
                 "user_signal"):
        n = usig["batch"] if kind == "user_signal" else block["batch"]
        per_op = median(rounds(kind)) / n
        if kind != "user_signal":      # the user loop's overhead is native
            per_op -= empty
        out[kind] = {"tsc": per_op, "us": per_op / hz * 1e6,
                     "check_ok": costs[kind]["check"] == 0}
    pio = out["pio"]["us"]
    for kind in out:
        out[kind]["ratio_to_pio"] = out[kind]["us"] / pio if pio else None
    # Each operation was one exit of its kind?
    ops = block["batch"] * block["rounds"]
    d = exits_between(stats, block["mark0"], block["mark1"])
    du = exits_between(stats, usig["mark0"], usig["mark1"])
    out["exits_per_op"] = {
        "pio": d["io"] / ops, "mmio": d["mmio"] / ops, "msr": d["msr"] / ops,
        "hypercall": d["hypercall"] / (2 * ops),
        "user_signal": du["hypercall"] / (usig["batch"] * usig["rounds"]),
        "other": d["other"] + du["other"],
    }
    return out


def tput_figures(recs, stats, hz):
    out = {}
    for r in (r for r in recs if r["_kind"] == "tput"):
        size, n = r["size"], r["packets"]
        secs = r["tsc_total"] / hz
        d = exits_between(stats, r["mark0"], r["mark1"])
        exits = sum(d[k] for k in EXIT_KINDS)
        drain_bytes = mark_delta(stats, r["mark0"], r["mark1"], "sink_bytes")
        drain_ns = mark_delta(stats, r["mark0"], r["mark1"], "sink_drain_ns")
        out[str(size)] = {
            "packets": n,
            "pps": n / secs, "mbps": n * size / secs / 1e6,
            "producer_pps": n / (r["tsc_write"] / hz),
            "exits": exits, "exits_per_1k": exits * 1000.0 / n,
            "signals": r["signals"], "full_polls": r["full_polls"],
            "host_drain_gbps": drain_bytes / drain_ns if drain_ns else None,
            "host_wakeups": mark_delta(stats, r["mark0"], r["mark1"],
                                       "sink_wakeups"),
            "host_packets": mark_delta(stats, r["mark0"], r["mark1"],
                                       "sink_packets"),
        }
    return out


def stage_durations(ends_us):
    out, prev = {}, 0
    for name, end in ends_us.items():
        out[name] = (end - prev) / 1000.0
        prev = end
    return out


def bench_run(build, iters, packets, timeout):
    cmd = [os.path.join(build, "kvmbus"), "run", "--stats", "--bench-sink",
           "--timeout", str(timeout),
           "--kernel", os.path.join(build, "kvmbus-bench.elf"),
           "--cmdline", "iters=%d packets=%d" % (iters, packets)]
    status, out, err, wall, launch_ns = run_timed(cmd, timeout + 30)
    recs, st = parse_guest(out), parse_stats(err)
    if status != 0 or not any(r["_kind"] == "done" for r in recs):
        return {"ok": False, "status": status, "stdout_tail": out[-2000:],
                "stderr_tail": err[-2000:]}
    tsc = next(r for r in recs if r["_kind"] == "tsc")
    kvm_khz = st.get("tsc", {}).get("khz", -1)
    hz = tsc["hz"] or kvm_khz * 1000
    boot = st["boot"]
    setup = next(r for r in recs if r["_kind"] == "setup")
    at_setup = st["mark"][setup["mark"]]
    mem = st.get("memory", {})
    return {
        "ok": True, "wall_s": wall,
        "setup_ms": boot["setup_us"] / 1000.0,
        # Where it goes: each setup stage's own ms, in order (the VMM
        # prints the us since process start at the end of each).
        "setup_stages_ms": stage_durations(st.get("stages", {})),
        "launch_to_first_insn_ms": (boot["first_insn_ns"] - launch_ns) / 1e6,
        "tsc": {"hz": hz, "source": tsc["source"],
                "kvm_khz": kvm_khz,
                "error_vs_kvm": (hz / (kvm_khz * 1000.0) - 1)
                if kvm_khz > 0 else None},
        # Everything up to the setup mark: boot, SynIC, VMBus 5.3, two
        # channels, user mode -- deterministic like the default run's.
        "setup_exits": {
            "io_nonconsole": at_setup["io"] - 1 - at_setup["console_bytes"],
            "mmio": at_setup["mmio"], "msr": at_setup["msr"],
            "hypercall": at_setup["hypercall"], "other": at_setup["other"]},
        "costs": cost_figures(recs, st, hz),
        "tput": tput_figures(recs, st, hz),
        "peak_rss_kib": mem.get("peak_rss_kib"),
        "vmm_overhead_kib": mem.get("vmm_overhead_kib"),
        "guest_resident_kib": mem.get("guest_resident_kib"),
    }


def kvm_part(build, runs, iters, packets, timeout, log):
    res = {"machine": machine_info(), "default": [], "bench": []}
    for i in range(runs):
        d = default_run(build, timeout)
        res["default"].append(d)
        log("  run %d/%d: default scenario %s" % (
            i + 1, runs, "%.2f s" % d["wall_s"] if d["ok"]
            else "FAILED (status %s)" % d["status"]))
        b = bench_run(build, iters, packets, timeout)
        res["bench"].append(b)
        log("  run %d/%d: bench guest %s" % (
            i + 1, runs, "%.2f s" % b["wall_s"] if b["ok"]
            else "FAILED (status %s)" % b["status"]))
    return res


# ---- medians, table, baseline ----------------------------------------------

def med_tree(items):
    """Median, leaf by leaf, of a list of equally shaped dicts."""
    first = items[0]
    if isinstance(first, dict):
        return {k: med_tree([it[k] for it in items if k in it])
                for k in first}
    if isinstance(first, bool) or isinstance(first, str) or first is None:
        return first
    return median(items)


def summarize(host, kvm):
    s = {"host": host, "machine": kvm["machine"], "runs": {}}
    okd = [d for d in kvm["default"] if d["ok"]]
    okb = [b for b in kvm["bench"] if b["ok"]]
    s["runs"] = {"default_ok": len(okd), "default_total": len(kvm["default"]),
                 "bench_ok": len(okb), "bench_total": len(kvm["bench"])}
    s["failures"] = [d for d in kvm["default"] + kvm["bench"] if not d["ok"]]
    if okd:
        s["default"] = med_tree(okd)
        per_kind = {k: sorted({d["exits"][k] for d in okd})
                    for k in okd[0]["exits"]}
        # io = console bytes (one OUT each; they vary with the timings
        # the test kernel prints) + other io, which must not vary.
        s["default"]["exits_deterministic"] = all(
            len(v) == 1 for k, v in per_kind.items()
            if k not in ("io", "console_bytes"))
        s["default"]["exits_seen"] = per_kind
    if okb:
        s["bench"] = med_tree(okb)
        s["bench"]["tsc"]["source"] = okb[0]["tsc"]["source"]
    return s


def compare_baseline(s):
    """Growth of exit counts against baseline.json: list of messages."""
    if not os.path.exists(BASELINE) or "default" not in s:
        return None
    with open(BASELINE) as f:
        base = json.load(f)
    flags = []
    groups = [("default negotiation", base.get("default_exits", {}),
               s["default"]["exits"])]
    if "bench" in s:
        groups.append(("bench guest setup", base.get("bench_setup_exits", {}),
                       s["bench"]["setup_exits"]))
    for name, b, now in groups:
        for k, v in b.items():
            if k == "io":
                continue           # console-dependent: io_nonconsole instead
            slack = CONSOLE_SLACK if k == "console_bytes" else 0
            if k in now and now[k] > v + slack:
                flags.append("%s: %s exits grew from %d to %d" %
                             (name, k, v, now[k]))
    return flags


def write_baseline(s):
    base = {
        "_comment": "VM exit counts that must not grow unnoticed; "
                    "tests/bench/run.py --update-baseline rewrites this.",
        "default_exits": {k: int(v) for k, v in s["default"]["exits"].items()},
    }
    if "bench" in s:
        base["bench_setup_exits"] = {k: int(v) for k, v in
                                     s["bench"]["setup_exits"].items()}
    with open(BASELINE, "w") as f:
        json.dump(base, f, indent=2, sort_keys=True)
        f.write("\n")


def verdict(value, target, below=True):
    if value is None:
        return "n/a"
    ok = value <= target if below else value >= target
    return "meets" if ok else "MISSES"


def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)


def print_table(s, flags):
    m = s["machine"]
    host = s["host"]["machine"]
    p = print
    p("")
    p("kvmbus bench -- medians of %d runs" % s["runs"]["bench_total"])
    p("  KVM part:  %s" % m["kvm"])
    p("             %s, %s CPUs, Linux %s" % (m["cpu"], m["cpus"], m["kernel"]))
    p("  host part: native, %s, %s CPUs, Linux %s" %
      (host["cpu"], host["cpus"], host["kernel"]))
    ld = s.get("load")
    if ld:
        p("  machine load (1-min load average, CPU pressure avg60 %%): "
          "%.1f / %s before, %.1f / %s after -- other work on a shared "
          "machine shows up as spread in the timings" % (
              ld["before"]["loadavg_1m"],
              ld["before"].get("cpu_pressure_avg60", "n/a"),
              ld["after"]["loadavg_1m"],
              ld["after"].get("cpu_pressure_avg60", "n/a")))
    p("")
    row = "  %-46s %14s  %-14s %s"
    p(row % ("", "value", "target", ""))
    b, d = s.get("bench"), s.get("default")
    if b:
        p("VMM setup")
        p(row % ("process start -> first guest instruction",
                 fmt(b["setup_ms"], ".2f") + " ms", "<= %.0f ms" %
                 TARGETS["setup_ms"], verdict(b["setup_ms"],
                                             TARGETS["setup_ms"])))
        stages = b.get("setup_stages_ms") or {}
        if stages:
            p("    stages, ms each (median): " + ", ".join(
                "%s %.1f" % (k, v) for k, v in stages.items()))
        p(row % ("(launch by run.py -> first guest instruction)",
                 fmt(b["launch_to_first_insn_ms"], ".2f") + " ms", "", ""))
    if d:
        p(row % ("default scenario, whole `kvmbus run` wall time",
                 fmt(d["wall_s"], ".2f") + " s", "", ""))
    if b:
        c = b["costs"]
        t = b["tsc"]
        p("")
        p("Exit cost, guest TSC at CPL 0 (TSC %.3f GHz from %s; KVM says "
          "%.3f GHz)" % (t["hz"] / 1e9, t["source"], t["kvm_khz"] / 1e6))
        names = [("pio", "port I/O: OUT to unused port 0x80"),
                 ("mmio", "MMIO read, unclaimed low-gap page *"),
                 ("msr", "RDMSR of a Hyper-V MSR (VP_INDEX)"),
                 ("hypercall", "HvSignalEvent round trip (echo channel)"),
                 ("hypercall_sink", "HvSignalEvent, sink (wakes drain thread)"),
                 ("user_signal", "HvSignalEvent from CPL 3 via int 0x80")]
        for k, label in names:
            target, v = "", ""
            if k == "hypercall":
                target = "<= %.1fx pio" % TARGETS["hypercall_ratio"]
                v = verdict(c[k]["ratio_to_pio"], TARGETS["hypercall_ratio"])
            p(row % (label, "%s us %sx" % (fmt(c[k]["us"], "7.1f"),
                                           fmt(c[k]["ratio_to_pio"], ".2f")),
                     target, v))
        e = c["exits_per_op"]
        p("  exits per operation: pio %.2f, mmio %.2f, msr %.2f, hypercall "
          "%.2f, user signal %.2f (other exits: %d)" %
          (e["pio"], e["mmio"], e["msr"], e["hypercall"], e["user_signal"],
           e["other"]))
        p("  * the same exit path as a VPCI config-window read (KVM_EXIT_MMIO "
          "-> mmio bus), without the device model's few lines")
    if d:
        ex = d["exits"]
        p("")
        p("VM exits, whole default negotiation (`kvmbus run`)%s" %
          ("" if d["exits_deterministic"] else "  NOT DETERMINISTIC: %s"
           % d["exits_seen"]))
        p("  io %d (console bytes %d, other io %d), mmio %d, msr %d, "
          "hypercall %d, other %d" %
          (ex["io"], ex["console_bytes"], ex["io_nonconsole"], ex["mmio"],
           ex["msr"], ex["hypercall"], ex["other"]))
    if b:
        se = b["setup_exits"]
        p("  bench guest setup (to its setup mark): io %d (non-console), mmio %d, "
          "msr %d, hypercall %d, other %d" % (se["io_nonconsole"], se["mmio"],
                                              se["msr"], se["hypercall"],
                                              se["other"]))
    if flags is None:
        p("  baseline: none (tests/bench/baseline.json; --update-baseline)")
    elif flags:
        for f in flags:
            p("  GROWTH vs baseline: " + f)
    else:
        p("  baseline: no growth (tests/bench/baseline.json)")
    if b:
        p("")
        p("Ring throughput, one channel guest -> host (CPL 3 producer -> sink)")
        p("  %-6s %12s %10s %14s %18s %12s" % ("size", "packets/s", "MB/s",
                                             "exits/1k pkts",
                                             "host drain GB/s", "signals"))
        for size in SIZES:
            r = b["tput"].get(str(size))
            if not r:
                continue
            note = ""
            if size == 64:
                note = "target <= %.0f exits/1k: %s" % (
                    TARGETS["exits_per_1k_64"],
                    verdict(r["exits_per_1k"], TARGETS["exits_per_1k_64"]))
            p("  %-6s %12s %10s %14s %18s %12s   %s" % (
                "%d B" % size, fmt(r["pps"], ",.0f"), fmt(r["mbps"], ".1f"),
                fmt(r["exits_per_1k"], ".2f"), fmt(r["host_drain_gbps"], ".3f"),
                fmt(r["signals"], ".0f"), note))
    hd = s["host"]["drain"]
    p("")
    p("Host drain micro-benchmark, native (vmbus_chan_peek/consume, "
      "in-memory ring)")
    for size in SIZES:
        r = hd[str(size)]
        note = ""
        if size == 4096:
            note = "target >= %.0f GB/s: %s" % (
                TARGETS["drain_gbps_4k"],
                verdict(r["gbps"], TARGETS["drain_gbps_4k"], below=False))
        p("  %-6s %8s GB/s %8s Mpkt/s %8s ns/pkt   %s" % (
            "%d B" % size, fmt(r["gbps"], ".2f"), fmt(r["mpps"], ".2f"),
            fmt(r["ns_per_packet"], ".0f"), note))
    p("")
    p("VMM memory (peak RSS minus guest RAM/VRAM the guest made resident)")
    for name, x in (("default scenario", d), ("bench guest", b)):
        if not x or x.get("vmm_overhead_kib") is None:
            continue
        mib = x["vmm_overhead_kib"] / 1024.0
        p(row % (name + ": peak RSS %.1f MiB, guest %.1f MiB" % (
            x["peak_rss_kib"] / 1024.0, x["guest_resident_kib"] / 1024.0),
            "%.2f MiB" % mib, "<= %.0f MiB" % TARGETS["vmm_overhead_mib"],
            verdict(mib, TARGETS["vmm_overhead_mib"])))
    if s["failures"]:
        p("")
        p("FAILED RUNS: %d (see build/bench.json)" % len(s["failures"]))
    p("")


# ---- main ------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true",
                    help="3 runs, fewer iterations and packets")
    ap.add_argument("--iters", type=int, default=None)
    ap.add_argument("--packets", type=int, default=None)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--update-baseline", action="store_true")
    ap.add_argument("--kvm-only", action="store_true",
                    help=argparse.SUPPRESS)       # inside tests/nested
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    runs = 3 if a.quick and a.runs == 5 else a.runs
    iters = a.iters or (600 if a.quick else 2000)
    packets = a.packets or (40000 if a.quick else 200000)

    def log(msg):
        print(msg, flush=True)

    if a.kvm_only:
        res = kvm_part(build, runs, iters, packets, a.timeout, log)
        with open(a.out, "w") as f:
            json.dump(res, f)
        return 0

    t0 = time.monotonic()
    load_before = machine_load()
    log("bench: host drain micro-benchmark (native), %d runs" % runs)
    host = host_part(build, runs, 64 if a.quick else 256)
    kvm_json = os.path.join(build, "bench-kvm.json")
    if os.access("/dev/kvm", os.R_OK | os.W_OK):
        log("bench: KVM part on /dev/kvm, %d runs" % runs)
        kvm = kvm_part(build, runs, iters, packets, a.timeout, log)
    else:
        log("bench: no /dev/kvm here: the KVM part runs under a nested KVM "
            "in QEMU (tests/nested/run.sh); its figures are nested-TCG ones")
        if os.path.exists(kvm_json):
            os.unlink(kvm_json)
        inner = " ".join(shlex.quote(x) for x in [
            "python3", os.path.join(HERE, "run.py"), "--kvm-only",
            "--build", build, "--runs", str(runs), "--iters", str(iters),
            "--packets", str(packets), "--timeout", str(a.timeout),
            "--out", kvm_json])
        nested = [os.path.join(REPO, "tests", "nested", "run.sh"),
                  "--timeout", "900"]
        if not build.startswith(REPO + os.sep):
            nested += ["--share", build]
        rc = subprocess.call(nested + ["--", inner], cwd=REPO)
        if rc != 0 or not os.path.exists(kvm_json):
            log("bench: the nested KVM part failed (status %d)" % rc)
            return 1
        with open(kvm_json) as f:
            kvm = json.load(f)

    s = summarize(host, kvm)
    s["wall_s"] = time.monotonic() - t0
    s["load"] = {"before": load_before, "after": machine_load()}
    s["targets"] = TARGETS
    s["params"] = {"runs": runs, "iters": iters, "packets": packets}
    s["raw"] = kvm
    flags = compare_baseline(s)
    s["baseline_growth"] = flags
    print_table(s, flags)
    out = os.path.join(build, "bench.json")
    with open(out, "w") as f:
        json.dump(s, f, indent=2, sort_keys=True)
    log("bench: figures in %s (%.0f s in all)" % (out, s["wall_s"]))
    if a.update_baseline and "default" in s:
        write_baseline(s)
        log("bench: baseline written to %s" % BASELINE)
        flags = []
    if s["failures"] or "default" not in s or "bench" not in s:
        return 1
    return 3 if flags else 0


if __name__ == "__main__":
    sys.exit(main())
