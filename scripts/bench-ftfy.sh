#!/usr/bin/env bash
# Speed and agreement against Python's ftfy (6.3.1, installed from PyPI into a scratch venv
# under target/, never a project dependency): `article-lsp fix --only mojibake -` against
# `ftfy.fix_encoding` line by line, on the same generated news text (20 MB by default), clean
# and with 1% of the non-ASCII lines mangled (UTF-8 read as Windows-1252). A third text of
# only the English (ASCII) lines shows what the CLI costs without any mojibake work: reading,
# the other per-line checks and writing.
#
# ftfy runs in-process with no I/O, so our binary is timed with its standard output going to
# a file on tmpfs (/dev/shm; the files are compared afterwards), and, as a second column,
# through a pipe read by Python. `cat` through both setups is the floor: no repair can be
# faster than copying the bytes the same way. The general path (`--whole-text`, which analyses
# the whole text as `fix` did before its line-local fast path) is timed too, with the peak RSS
# of each.
#
# The machine's load moves ftfy and us alike, but not in the same time window, so the runs
# alternate: each round times ours, ours on one CPU (`taskset -c 0`: a large input is
# otherwise checked in parts on every core), the baseline if given (both ways), ftfy on the
# same text and `cat`, one after the other. Next to the medians, the script reports the median
# of the per-round ratios ftfy time / our time and their spread (lowest–highest round).
#
# Usage: scripts/bench-ftfy.sh [megabytes] [rounds]
# With BASELINE=path/to/an/older/article-lsp, that binary is timed too (a before/after column).
set -euo pipefail
cd "$(dirname "$0")/.."
megabytes="${1:-20}"
runs="${2:-3}"
work=target/bench-ftfy
mkdir -p "$work"
if [ ! -x "$work/venv/bin/python" ]; then
    python3 -m venv "$work/venv"
fi
"$work/venv/bin/pip" install --quiet --disable-pip-version-check ftfy==6.3.1
cargo build --release --quiet
exec "$work/venv/bin/python" - "$megabytes" "$runs" "$work" "${BASELINE:-}" <<'PY'
import os, shutil, statistics, subprocess, sys, time
import ftfy

megabytes, runs, work, baseline = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
sentences = [l.split("\t", 1)[1] for l in open("tests/data/mojibake/sentences.txt", encoding="utf-8")
             if "\t" in l and not l.startswith("#")]
sentences = [s.rstrip("\n") for s in sentences]
english = [
    "The council met on Tuesday to discuss the budget for the coming year and approved it.",
    "Officials said the new bridge would open in the spring, two months later than planned.",
    "Shares in the company rose 4 percent after it reported higher profits for the quarter.",
    "The report, published on Monday, found that most households had cut their spending.",
    "Rain is expected across the north of the country for the rest of the week.",
]

def sloppy_1252(text):
    out = []
    for b in text.encode("utf-8"):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)

def generate(kind):
    dirty = kind == "dirty"
    lines, mangled, size, i, foreign = [], set(), 0, 0, 0
    while size < megabytes * 1_000_000:
        if i % 6 == 5 and kind != "ascii":
            line = sentences[foreign % len(sentences)]
            foreign += 1
            if dirty and foreign % 100 == 0:
                line = sloppy_1252(line)
                mangled.add(len(lines))
        else:
            line = english[i % len(english)]
        lines.append(line)
        size += len(line.encode("utf-8")) + 1
        i += 1
    return lines, mangled

SHM = f"/dev/shm/bench-ftfy-{os.getpid()}.out"

def run_once(argv, path, piped):
    """Wall time and output of one run: standard output to a file on tmpfs (read back after
    the clock stops), or through a pipe that Python reads (inside the timing)."""
    with open(path, "rb") as f:
        if piped:
            start = time.perf_counter()
            done = subprocess.run(argv, stdin=f, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
            return time.perf_counter() - start, done.stdout
        with open(SHM, "wb") as out:
            start = time.perf_counter()
            subprocess.run(argv, stdin=f, stdout=out, stderr=subprocess.DEVNULL, check=False)
            seconds = time.perf_counter() - start
    with open(SHM, "rb") as out:
        output = out.read()
    os.remove(SHM)
    return seconds, output

def peak_rss(argv, path):
    """Peak RSS (MiB) of one more run, from GNU time (a forked Python's own RSS would count in
    the rusage Python sees)."""
    with open(path, "rb") as f:
        done = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdin=f, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, check=False)
    return int(done.stderr.split()[-1]) / 1024

def median_and_spread(values):
    return statistics.median(values), min(values), max(values)

BIN = "target/release/article-lsp"
ONE_CPU = ["taskset", "-c", "0"] if shutil.which("taskset") else None

def fix_argv(binary, *extra):
    return [binary, "fix", "--only", "mojibake", *extra, "-"]

def ftfy_once(lines):
    start = time.perf_counter()
    out = [ftfy.fix_encoding(line) for line in lines]
    return time.perf_counter() - start, out

def rounds_of(path, lines):
    """Times every command once per round, in turn, so that each round's ratios compare runs
    made under the same load. Returns per command the list of times, and the last outputs."""
    commands = {"ours": fix_argv(BIN)}
    if ONE_CPU:
        commands["ours 1 CPU"] = ONE_CPU + fix_argv(BIN)
    if baseline:
        commands["baseline"] = fix_argv(baseline)
        if ONE_CPU:
            commands["baseline 1 CPU"] = ONE_CPU + fix_argv(baseline)
    times = {name: [] for name in [*commands, "ftfy", "cat"]}
    outputs = {}
    for _ in range(runs):
        for name, argv in commands.items():
            seconds, outputs[name] = run_once(argv, path, piped=False)
            times[name].append(seconds)
        seconds, outputs["ftfy"] = ftfy_once(lines)
        times["ftfy"].append(seconds)
        seconds, outputs["cat"] = run_once(["cat"], path, piped=False)
        times["cat"].append(seconds)
    return times, outputs

def measure(argv, path, piped=False):
    runs_ = [run_once(argv, path, piped) for _ in range(runs)]
    return statistics.median(r[0] for r in runs_), runs_[-1][1]

print(f"ftfy {ftfy.__version__}; {megabytes} MB; {runs} rounds; machine load {os.getloadavg()[0]:.1f}")
print("MB/s, medians; 'file': standard output to a file on tmpfs, 'pipe': through a pipe read by Python")
print(f"{'text':<6} {'ours file':>10} {'ftfy':>7} {'ratio':>7} {'cat file':>9} {'ours pipe':>10} {'ratio':>7} "
      f"{'cat pipe':>9} {'general':>8} {'RSS fast/general':>17}  agreement")
ratios = []
for name in ("ascii", "clean", "dirty"):
    lines, mangled = generate(name)
    path = f"{work}/{name}.txt"
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    mb = sum(len(l.encode("utf-8")) + 1 for l in lines) / 1e6
    times, outputs = rounds_of(path, lines)
    text = open(path, "rb").read()
    assert outputs["cat"] == text, f"{name}: cat changed the text"
    our_lines = outputs["ours"].decode("utf-8").split("\n")
    their_lines = outputs["ftfy"]
    piped_time, piped_out = measure(fix_argv(BIN), path, piped=True)
    general_time, general_out = measure(fix_argv(BIN, "--whole-text"), path)
    cat_piped_time, _ = measure(["cat"], path, piped=True)
    for other, out in [("ours 1 CPU", outputs.get("ours 1 CPU")), ("pipe", piped_out), ("general path", general_out)]:
        assert out is None or out.decode("utf-8").split("\n") == our_lines, f"{name}: {other} output differs"
    our_rss, general_rss = peak_rss(fix_argv(BIN), path), peak_rss(fix_argv(BIN, "--whole-text"), path)
    med = {k: statistics.median(v) for k, v in times.items()}
    same = sum(1 for a, b in zip(our_lines, their_lines) if a == b)
    same_mangled = sum(1 for i in mangled if our_lines[i] == their_lines[i])
    agreement = f"{same}/{len(lines)} lines identical"
    if mangled:
        agreement += f"; mangled lines: {same_mangled}/{len(mangled)} identical to ftfy"
    print(f"{name:<6} {mb / med['ours']:>10.1f} {mb / med['ftfy']:>7.2f} {med['ftfy'] / med['ours']:>6.1f}x "
          f"{mb / med['cat']:>9.1f} {mb / piped_time:>10.1f} {med['ftfy'] / piped_time:>6.1f}x {mb / cat_piped_time:>9.1f} "
          f"{mb / general_time:>8.1f} {our_rss:>7.1f}/{general_rss:.1f} MiB  {agreement}")
    if baseline:
        same_before = outputs["baseline"] == outputs["ours"]
        print(f"  {name}: baseline {mb / med['baseline']:.1f} MB/s (file), {peak_rss(fix_argv(baseline), path):.1f} MiB; "
              f"output identical: {same_before}")
    for who in [k for k in times if k not in ("ftfy", "cat")]:
        per_round = [f / o for f, o in zip(times["ftfy"], times[who])]
        ratios.append((name, who, mb / med[who], median_and_spread(per_round)))
print("per-round ratios, ftfy time / our time, in the same round: median (lowest-highest)")
print(f"{'text':<6} {'command':<15} {'MB/s':>8} {'ratio':>8}  spread")
for name, who, speed, (mid, low, high) in ratios:
    print(f"{name:<6} {who:<15} {speed:>8.1f} {mid:>7.1f}x  {low:.1f}-{high:.1f}x")
PY
