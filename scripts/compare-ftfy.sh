#!/usr/bin/env bash
# Repair quality against Python's ftfy (6.3.1, installed from PyPI into the scratch venv of
# scripts/bench-ftfy.sh under target/, never a project dependency), on exactly the cases our
# round-trip test scores: `tests/mojibake_corpus.rs` exports them (each damaged string with its
# expected repair and ours, and every negative line with ours), so there is one source of cases.
# ftfy's `fix_encoding` and, as a second column, `fix_text` repair each one, and the same rules
# score all three:
#
# - exact: the output equals the expected text;
# - fair: the same, where a lost byte may come back as U+FFFD in place of every character it
#   was part of or of the whole run of them (ftfy writes one U+FFFD per broken sequence), and
#   for `fix_text`, the expected text is what `fix_text` makes of the clean sentence with its
#   encoding steps switched off (it also straightens quotes, widths and ligatures on purpose);
# - negatives changed: a clean line whose output differs (for `fix_text`, from its own output
#   with the encoding steps off).
#
# Usage: scripts/compare-ftfy.sh [filter]
# With a filter (`family [table]` text, e.g. `lost byte` or `[cp850]`), the cases ftfy repairs
# and we do not are printed (up to 40), then those we repair and ftfy does not.
set -euo pipefail
cd "$(dirname "$0")/.."
work=target/compare-ftfy
venv=target/bench-ftfy/venv
mkdir -p "$work"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check ftfy==6.3.1
MOJIBAKE_EXPORT="$PWD/$work/cases.jsonl" cargo test --release --locked --quiet --test mojibake_corpus \
    export_cases_for_comparison -- --ignored --exact >/dev/null
exec "$venv/bin/python" - "$work/cases.jsonl" "${1:-}" <<'PY'
import collections, json, os, re, sys
import ftfy

path, show = sys.argv[1], sys.argv[2]
records = [json.loads(line) for line in open(path, encoding="utf-8")]
ENCODING_STEPS = dict(fix_encoding=False, restore_byte_a0=False, replace_lossy_sequences=False,
                      decode_inconsistent_utf8=False, fix_c1_controls=False)

def text_without_encoding(s):
    return ftfy.fix_text(s, **ENCODING_STEPS)

REPAIRERS = {
    "ours": lambda r, s: r["ours"],
    "fix_encoding": lambda r, s: ftfy.fix_encoding(s),
    "fix_text": lambda r, s: ftfy.fix_text(s),
}

def reference(name, text):
    """What a repairer should produce for clean `text`: the text itself, or for fix_text what it
    makes of it with its encoding steps off."""
    return text_without_encoding(text) if name == "fix_text" else text

def lost_runs(text):
    return re.sub("\ufffd+", "\ufffd", text)

def exact(out, expected):
    return out == expected

def fair(out, expected):
    return out == expected or ("\ufffd" in expected and lost_runs(out) == lost_runs(expected))

cases = [r for r in records if r["set"] == "case"]
negatives = [r for r in records if r["set"] == "negative"]
outputs = {name: [f(r, r["damaged"]) for r in cases] for name, f in REPAIRERS.items()}
expected = {name: [reference(name, r["expected"]) for r in cases] for name in REPAIRERS}

def shares(rows, rule):
    """(ok, total) per repairer over the case indices `rows`."""
    return {name: (sum(rule(outputs[name][i], expected[name][i]) for i in rows), len(rows)) for name in REPAIRERS}

def pct(ok_all):
    ok, n = ok_all
    return f"{100 * ok / max(n, 1):5.1f}"

by_family, by_table, by_pair = collections.defaultdict(list), collections.defaultdict(list), collections.defaultdict(list)
for i, r in enumerate(cases):
    by_family[r["family"]].append(i)
    by_table[r["table"]].append(i)
    by_pair[(r["family"], r["table"])].append(i)

print(f"ftfy {ftfy.__version__}; {len(cases)} cases, {len(negatives)} negative lines")
print("share repaired, exact / fair (see the script's header); ours | ftfy.fix_encoding | ftfy.fix_text")

def line(label, rows):
    e, f = shares(rows, exact), shares(rows, fair)
    cells = " | ".join(f"{pct(e[n])} {pct(f[n])}" for n in REPAIRERS)
    print(f"{label:<36} {len(rows):>6}  {cells}")

header = " | ".join(f"{n:>11}" for n in REPAIRERS)
print(f"\n{'family':<36} {'cases':>6}  {header}")
for family, rows in sorted(by_family.items()):
    line(family, rows)
line("all", range(len(cases)))
print(f"\n{'table':<36} {'cases':>6}  {header}")
for table, rows in sorted(by_table.items()):
    line(table, rows)
print(f"\n{'family [table] where ftfy (fix_encoding, fair) wins':<36} {'cases':>6}  {header}")
for (family, table), rows in sorted(by_pair.items()):
    f = shares(rows, fair)
    if f["fix_encoding"][0] > f["ours"][0]:
        line(f"{family} [{table}]", rows)

print("\nnegatives changed (clean lines whose output differs)")
counts = collections.Counter()
for r in negatives:
    line_ = r["line"]
    changed = {
        "ours": r["ours"] != line_,
        "fix_encoding": ftfy.fix_encoding(line_) != line_,
        "fix_text": ftfy.fix_text(line_) != text_without_encoding(line_),
    }
    for name, c in changed.items():
        counts[(r["family"][:60], name)] += c
    counts[(r["family"][:60], "lines")] += 1
families = sorted({f for f, _ in counts})
print(f"{'family':<62} {'lines':>6} {'ours':>6} {'fix_enc':>8} {'fix_text':>9}")
for f in families:
    print(f"{f:<62} {counts[(f, 'lines')]:>6} {counts[(f, 'ours')]:>6} {counts[(f, 'fix_encoding')]:>8} {counts[(f, 'fix_text')]:>9}")
total = lambda name: sum(counts[(f, name)] for f in families)
print(f"{'all':<62} {total('lines'):>6} {total('ours'):>6} {total('fix_encoding'):>8} {total('fix_text'):>9}")

if show:
    def sample(title, better, worse):
        print(f"\n{title}")
        shown = 0
        for i, r in enumerate(cases):
            if show not in f"{r['family']} [{r['table']}]":
                continue
            if fair(outputs[better][i], expected[better][i]) and not fair(outputs[worse][i], expected[worse][i]):
                print(f"{r['family']} [{r['table']}]\n  in:   {r['damaged']!r}\n  ours: {outputs['ours'][i]!r}\n"
                      f"  ftfy: {outputs['fix_encoding'][i]!r}\n  exp:  {r['expected']!r}")
                shown += 1
                if shown == 40:
                    break
    sample("ftfy.fix_encoding repairs, we do not:", "fix_encoding", "ours")
    sample("we repair, ftfy.fix_encoding does not:", "ours", "fix_encoding")
PY
