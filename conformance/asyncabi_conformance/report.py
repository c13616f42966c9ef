"""Readable output: the failure text of one run, the summary lines, the static HTML page, the
JUnit XML, and the merge of shard result files.

Everything here reads a records.ResultsFile (the JSON result file, typed), so a report can be
rendered again from the file alone. The page is one self-contained file (no scripts, no
external assets): the scenario x backend matrix, the levels each backend earned, the mutation
score, and for every failure the monitor's violations, the runner's stderr, a timeline of the
fixture's trace (inline SVG) and the command that reproduces it.
"""
import html
import json
import pathlib
import xml.etree.ElementTree as ET

from . import names, records
from .records import FAILED, NOT_RUN, PASSED, SKIPPED, UNSUPPORTED, ResultsFile

CAPABILITIES = list(records.CAPABILITIES)


# --- text ------------------------------------------------------------------------------------

def _variant_note(data, sep=", "):
    """', fixtures asan' when the run loaded a sanitizer build of the fixtures."""
    return "" if data.fixture_variant == "plain" else f"{sep}fixtures {data.fixture_variant}"


def failure_text(record) -> str:
    lines = [f"{record.scenario} on {record.backend} (seed {record.seed}): "
             f"{len(record.failures)} failure(s)"]
    for f in record.failures:
        lines.append(f"  - [{f.symptom}] {f.message}")
        if f.sequence:
            lines.append(f"      sequence: {' -> '.join(map(str, f.sequence))}")
    if record.stderr:
        lines.append("  runner stderr (last lines):")
        lines += ["    " + line for line in record.stderr.splitlines()[-15:]]
    lines.append(f"  reproduce: {record.reproduce}")
    return "\n".join(lines)


def interruption_line(data) -> str:
    """'' or why the reports are incomplete, with how many runs did not run."""
    missing = len(data.not_run)
    if data.interrupted:
        return (f"conform: INTERRUPTED by {data.interrupted}: {missing} of {len(data.results)} "
                "planned runs not run (listed as not run in the reports)")
    if missing:
        # a backend that declares it cannot run this way (backends.json, cannot_run) says why
        declared = sorted({r.reason for r in data.not_run
                           if (r.reason or "").startswith("not run: ")})
        why = "; ".join(declared) if declared else "the session stopped early"
        return (f"conform: INCOMPLETE: {missing} of {len(data.results)} planned runs not run "
                f"({why})")
    return ""


def summary_lines(data) -> list:
    lines = []
    stop = interruption_line(data)
    if stop:
        lines.append(stop)
    per_backend = {}
    for r in data.results:
        if r.mutant:
            continue
        row = per_backend.setdefault(r.backend, {"scenarios": set(), FAILED: set(),
                                                 UNSUPPORTED: set(), NOT_RUN: set(), "runs": 0})
        row["scenarios"].add(r.scenario)
        row["runs"] += 1
        if r.status in (FAILED, UNSUPPORTED, NOT_RUN):
            row[r.status].add(r.scenario)
    shard = ""
    if data.shards:
        shard = ", shards " + ",".join(f"{s['index']}/{s['count']}" for s in data.shards)
    for backend, row in per_backend.items():
        total = len(row["scenarios"])
        failed = row[FAILED]
        not_run = row[NOT_RUN] - failed
        unsupported = row[UNSUPPORTED] - failed - not_run
        passed = total - len(failed) - len(not_run) - len(unsupported)
        lines.append(
            f"conform: {backend}: {passed}/{total} scenarios passed, {len(failed)} failed, "
            f"{len(not_run)} not run, {len(unsupported)} unsupported ({row['runs']} runs, seeds "
            f"{','.join(map(str, data.seeds))}, x{data.repeat}, time scale "
            f"{data.time_scale:g}{_variant_note(data)}{shard}); wall {data.wall_time_s:.1f} s")
        levels = data.levels(backend)
        lines.append(f"conform: {backend}: level {records.level_name(levels)}" + "".join(
            f"; {lv.name} not certified ({lv.why})" for lv in levels
            if lv.declared and not lv.certified))
    for backend, diffs in producer_disagreements(data).items():
        lines.append(f"conform: {backend}: the producers disagree on {len(diffs)} scenario(s): "
                     + "; ".join(f"{sid} ({', '.join(f'{p} {v}' for p, v in verdicts.items())})"
                                 for sid, verdicts in diffs.items()))
    rows = data.mutant_rows()
    if rows:
        mutation = records.mutation_summary(rows)
        judged = mutation["total"] - mutation["not_run"] - mutation["pending"]
        score = f" ({100 * mutation['score']:.0f}%)" if mutation["score"] is not None else ""
        not_run = f", {mutation['not_run']} not run" if mutation["not_run"] else ""
        pending = (f", {mutation['pending']} pending (judged when the shards are merged)"
                   if mutation["pending"] else "")
        lines.append(f"mutation score: {mutation['killed']}/{judged} mutants killed{score}"
                     f"{not_run}{pending}")
        for m in rows:
            if m.killed:
                verdict = f"killed by {m.killed_by} with {', '.join(m.symptoms)}"
            elif m.verdict == "not run":
                verdict = f"NOT RUN ({m.not_run} of its runs did not run)"
            elif m.verdict == "pending":
                verdict = "not killed in this shard (judged when the shards are merged)"
            else:
                verdict = "SURVIVED"
            flag = "" if m.as_expected or not m.killed else \
                "  (expected " + ", ".join(m.expected) + ")"
            lines.append(f"  {m.mutant:<28} {verdict}{flag}")
    return lines


def producer_disagreements(data) -> dict:
    """{backend: {scenario: {producer: verdict}}} for the scenarios whose verdict (status, and
    the symptoms of a failure) differs between the producers a backend drove in this run."""
    verdicts = {}
    for r in data.results:
        if r.mutant or r.status == NOT_RUN:
            continue
        producer = getattr(r, "producer", "c")
        suffix = "" if producer == "c" else "@" + producer
        backend = r.backend[:-len(suffix)] if suffix and r.backend.endswith(suffix) else r.backend
        verdict = r.status + (f" {','.join(r.symptoms)}" if r.status == FAILED else "")
        cell = verdicts.setdefault(backend, {}).setdefault(r.scenario, {})
        cell.setdefault(producer, set()).add(verdict)
    out = {}
    for backend, per_scenario in verdicts.items():
        for sid, per_producer in sorted(per_scenario.items()):
            if len(per_producer) > 1 and len({frozenset(v) for v in per_producer.values()}) > 1:
                out.setdefault(backend, {})[sid] = {p: " / ".join(sorted(v))
                                                    for p, v in per_producer.items()}
    return out


# --- HTML ------------------------------------------------------------------------------------
STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;max-width:1400px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:6px 0} td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
th{background:#f6f8fa} .pass{background:#dafbe1} .fail{background:#ffd7d5} .skip{background:#eaeef2;color:#57606a}
.notrun{background:#fff8c5} .interrupted{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px;font-weight:600}
.killed{background:#dafbe1} .survived{background:#ffd7d5} code,pre{font:12px ui-monospace,monospace}
pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:320px;border:1px solid #d0d7de}
.muted{color:#57606a} details{margin:8px 0;border:1px solid #d0d7de;padding:6px 10px;border-radius:6px}
summary{cursor:pointer;font-weight:600} .badge{display:inline-block;padding:0 6px;border-radius:8px;margin-right:4px}
"""


def render_html(data: ResultsFile) -> str:
    e = html.escape
    results = data.results
    real = data.real_backends()
    mutants = [b for b, s in data.backends.items() if s.get("mutant")]
    scenario_ids = sorted({r.scenario for r in results})
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           "<title>asyncabi conformance report</title>", f"<style>{STYLE}</style></head><body>",
           "<h1>asyncabi conformance report</h1>",
           f"<p class='muted'>{e(data.generated)} · seeds {e(', '.join(map(str, data.seeds)))}"
           f" · repetitions {data.repeat} · time scale {data.time_scale:g}"
           f" · slowdown {data.slowdown:g}{e(_variant_note(data, ' · '))}"
           f" · wall time {data.wall_time_s:.1f} s</p>"]
    stop = interruption_line(data)
    if stop:
        out.append(f"<p id='interrupted' class='interrupted'>{e(stop)}</p>")
    out.append("<ul id='summary'>")
    for line in summary_lines(data):
        if not line.startswith("  "):
            out.append(f"<li>{e(line)}</li>")
    out.append("</ul>")

    # Levels: earned, not declared.
    out.append("<h2>Backends and levels</h2><p class='muted'>A level is certified only when "
               "every scenario it needs passed on every seed of this run; unsupported runs "
               "count neither way (docs/certify-a-backend.md).</p><table id='capabilities'>"
               "<tr><th>backend</th><th>producer</th><th>version</th><th>implementation</th>"
               + "".join(f"<th>{e(name)}</th>" for name in records.LEVELS)
               + "<th>level earned</th><th>restarts</th></tr>")
    for b in real:
        hello = data.backends[b].get("hello") or {}
        levels = data.levels(b)
        cells = []
        for lv in levels:
            if not lv.declared:
                cells.append("<td class='skip'>not declared</td>")
            elif lv.certified:
                cells.append(f"<td class='pass' data-level='{e(lv.name)}'>certified · "
                             f"{lv.passed}/{lv.needed} runs pass</td>")
            else:
                cls = "fail" if lv.failed else "notrun"
                cells.append(f"<td class='{cls}' data-level='{e(lv.name)}'>not certified · "
                             f"{e(lv.why)} · {lv.passed}/{lv.needed} runs pass</td>")
        restarts = data.backends[b].get("restarts") or []
        out.append(f"<tr><td>{e(b)}</td>"
                   f"<td>{e(str(data.backends[b].get('producer', 'c')))}</td>"
                   f"<td>{e(str(hello.get('version', '?')))}</td>"
                   f"<td>{e(str(hello.get('implementation', '')))}</td>{''.join(cells)}"
                   f"<td class='level'>{e(records.level_name(levels))}</td>"
                   f"<td title='{e('; '.join(restarts))}'>{len(restarts)}</td></tr>")
    out.append("</table>")
    declared = [(b, data.backends[b].get("foreign_async_thread")) for b in real]
    declared = [(b, m) for b, m in declared if m and m != "event-loop"]
    if declared:  # a rule the judge applied differently: say so beside the levels
        out.append("<p class='muted' id='thread-models'>Declared thread models "
                   "(backends.json, foreign_async_thread): "
                   + "; ".join(f"{e(b)}: async foreign methods may run on <b>{e(m)}</b> thread, "
                               "so check_foreign reports where they ran without failing "
                               "another thread" for b, m in declared) + ".</p>")

    # Matrix.
    out.append("<h2>Scenario × backend</h2><table id='matrix'><tr><th>scenario</th>"
               "<th>needs</th>" + "".join(f"<th>{e(b)}</th>" for b in real) + "</tr>")
    for sid in scenario_ids:
        info = data.scenarios.get(sid, {})
        row = [f"<tr data-scenario='{e(sid)}'><td title='{e(info.get('title', ''))}'>"
               f"<code>{e(sid)}</code></td>"
               f"<td class='muted'>{e(', '.join(info.get('capabilities', [])) or '-')}</td>"]
        for b in real:
            row.append(_cell([r for r in results if r.backend == b and r.scenario == sid]))
        out.append("".join(row) + "</tr>")
    out.append("</table>")

    # Mutants.
    rows = data.mutant_rows()
    if mutants:
        mutation = records.mutation_summary(rows)
        judged = mutation["total"] - mutation["not_run"] - mutation["pending"]
        out.append(f"<h2>Mutants: the suite tests itself</h2><p id='mutation-score'>"
                   f"Mutation score: <b>{mutation['killed']}/{judged}</b> killed "
                   f"({100 * (mutation['score'] or 0):.0f}%)"
                   f"{', ' + str(mutation['not_run']) + ' not run' if mutation['not_run'] else ''}"
                   "</p><table id='mutants'><tr><th>mutant</th><th>bug it plants</th>"
                   "<th>verdict</th><th>symptoms</th><th>expected</th></tr>")
        for m in rows:
            cls = {"killed": "killed" if m.as_expected else "survived",
                   "survived": "survived", "not run": "notrun", "pending": "notrun"}[m.verdict]
            verdict = f"killed by {m.killed_by}" if m.killed else m.verdict.upper()
            out.append(f"<tr class='{cls}'><td><code>{e(m.mutant)}</code></td>"
                       f"<td>{e(m.bug)}</td><td>{e(verdict)}</td>"
                       f"<td>{e(', '.join(m.symptoms))}</td>"
                       f"<td>{e(', '.join(m.expected))}</td></tr>")
        out.append("</table>")

    not_run = [r for r in results if r.status == NOT_RUN and not r.mutant]
    if not_run:
        out.append(f"<h2>Not run ({len(not_run)})</h2><ul id='not-run'>")
        for r in not_run:
            out.append(f"<li><code>{e(r.scenario)}</code> · {e(r.backend)} · seed {r.seed}: "
                       f"{e(r.reason)}</li>")
        out.append("</ul>")

    # Failures of the real backends (mutant kills are summarised above, one detail each).
    failures = [r for r in results if r.status == FAILED and not r.mutant]
    kills = [r for r in results if r.status == FAILED and r.mutant]
    out.append(f"<h2>Failures ({len(failures)})</h2>")
    if not failures and data.passed():
        out.append("<p id='no-failures'>Every run of every real backend passed.</p>")
    elif not failures:
        out.append("<p id='no-failures-incomplete'>No run failed, but not every planned run "
                   "ran: this is not a pass.</p>")
    for r in failures:
        out.append(_failure_html(r, open_=True))
    if kills:
        out.append(f"<h2>How each mutant was caught ({len(kills)})</h2>")
        for r in kills:  # open when the run was about mutants alone (a reproduction)
            out.append(_failure_html(r, open_=not real))
    out.append("</body></html>")
    return "\n".join(out)


def _cell(runs) -> str:
    if not runs:
        return "<td class='skip'>-</td>"
    failed = [r for r in runs if r.status == FAILED]
    unsupported = [r for r in runs if r.status == UNSUPPORTED]
    not_run = [r for r in runs if r.status in (NOT_RUN, SKIPPED)]
    if unsupported and len(unsupported) == len(runs):
        return (f"<td class='skip' title='missing "
                f"{html.escape(', '.join(unsupported[0].missing_capabilities))}'>"
                "unsupported</td>")
    ok = sum(1 for r in runs if r.status == PASSED)
    counted = len(runs) - len(unsupported)
    extra = f", {len(not_run)} not run" if not_run else ""
    if failed:
        return (f"<td class='fail'><a href='#{_anchor(failed[0])}'>{ok}/{counted} pass"
                f"{extra}</a></td>")
    if not_run:
        return f"<td class='notrun'>{ok}/{counted} pass{extra}</td>"
    return f"<td class='pass'>{ok}/{counted} pass</td>"


def _anchor(record) -> str:
    return "f-" + "".join(ch if ch.isalnum() else "-" for ch in
                          f"{record.backend}-{record.scenario}-{record.seed}-"
                          f"{record.repetition}")


def _failure_html(r, open_) -> str:
    e = html.escape
    parts = [f"<details id='{_anchor(r)}' class='failure'{' open' if open_ else ''}>"
             f"<summary>{e(r.scenario)} · {e(r.backend)} · seed {r.seed} · "
             f"{e(', '.join(r.symptoms))}</summary>",
             f"<p>{e(r.title)}</p><ul>"]
    for f in r.failures:
        seq = f" <span class='muted'>({e(' → '.join(map(str, f.sequence)))})</span>" \
            if f.sequence else ""
        parts.append(f"<li><span class='badge fail'>{e(f.symptom)}</span>{e(f.message)}{seq}</li>")
    parts.append("</ul>")
    parts.append(f"<p>Reproduce: <code class='repro'>{e(r.reproduce)}</code></p>")
    if r.trace:
        parts.append(timeline_svg(r.trace, r.failures))
    else:
        parts.append("<p class='muted'>No trace events were recorded for this run.</p>")
    parts.append("<p>Runner stderr:</p><pre class='stderr'>"
                 f"{e(r.stderr or '(empty)')}</pre>")
    if r.steps:
        parts.append("<details><summary>Step outcomes</summary><pre>"
                     f"{e(json.dumps(r.steps, indent=1)[:20000])}</pre></details>")
    if r.monitor:
        parts.append("<details><summary>Monitor report</summary><pre>"
                     f"{e(json.dumps(r.monitor, indent=1)[:20000])}</pre></details>")
    parts.append("</details>")
    return "\n".join(parts)


# --- JUnit XML -------------------------------------------------------------------------------
def render_junit(data: ResultsFile) -> str:
    """One testcase per planned run and one per mutant verdict. A failed run is a <failure>,
    a run that did not run an <error> (never a pass), unsupported and skipped runs <skipped>."""
    suite = ET.Element("testsuite", name="asyncabi-conformance")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

    def case(classname, name, time_s=0.0):
        counts["tests"] += 1
        return ET.SubElement(suite, "testcase", classname=classname, name=name,
                             time=f"{time_s:.3f}")

    for r in data.results:
        name = f"{r.scenario}[{r.backend}-seed{r.seed}" + \
            (f"-rep{r.repetition}]" if data.repeat > 1 else "]")
        tc = case(f"conformance.{r.backend}", name, (r.elapsed_ms or 0) / 1000)
        props = ET.SubElement(tc, "properties")
        for key, value in (("backend", r.backend), ("seed", r.seed), ("status", r.status),
                           ("symptoms", ",".join(r.symptoms)), ("reproduce", r.reproduce)):
            ET.SubElement(props, "property", name=key, value=str(value))
        if r.status == FAILED and r.mutant:
            counts["skipped"] += 1
            ET.SubElement(tc, "skipped", message=f"mutant killed: {', '.join(r.symptoms)}")
        elif r.status == FAILED:
            counts["failures"] += 1
            ET.SubElement(tc, "failure", message=", ".join(r.symptoms)).text = failure_text(r)
        elif r.status == NOT_RUN:
            counts["errors"] += 1
            why = f"interrupted by {data.interrupted}" if data.interrupted else r.reason
            ET.SubElement(tc, "error", message=f"not run: {why}")
        elif r.status in (UNSUPPORTED, SKIPPED):
            counts["skipped"] += 1
            ET.SubElement(tc, "skipped", message=f"{r.status}: {r.reason}")
    for m in data.mutant_rows():
        tc = case("conformance.mutants", f"mutant_killed[{m.backend}]")
        if m.verdict == "not run":
            counts["errors"] += 1
            ET.SubElement(tc, "error", message=f"not run: {m.not_run} of its runs did not run")
        elif m.verdict == "pending":
            counts["skipped"] += 1
            ET.SubElement(tc, "skipped", message="not killed in this shard: judged when the "
                                                 "shards are merged")
        elif not m.as_expected:
            counts["failures"] += 1
            ET.SubElement(tc, "failure", message=(
                f"survived: {m.bug}" if m.verdict == "survived" else
                f"killed by {m.killed_by} with {m.symptoms}, expected one of {m.expected}"))
    for key, value in counts.items():
        suite.set(key, str(value))
    suites = ET.Element("testsuites")
    suites.append(suite)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)


# --- writing ---------------------------------------------------------------------------------
def write_all(data: ResultsFile, outputs: dict, stderr_logs=None) -> list:
    """Writes the reports named in outputs ({"json", "html", "junit"}: path or None); returns
    one line per report that could not be written (nothing raises)."""
    problems = []
    renderers = {"json": lambda: json.dumps(data.to_json(), indent=1),
                 "html": lambda: render_html(data), "junit": lambda: render_junit(data)}
    for kind, path in outputs.items():
        if not path:
            continue
        try:
            path = pathlib.Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(renderers[kind]())
        except OSError as exc:
            problems.append(f"could not write the {kind.upper()} report to {path}: "
                            f"{exc.strerror or exc}")
            continue
        if kind == "json" and stderr_logs:
            # Every byte each runner wrote to stderr, whole, beside the results.
            try:
                logs = path.parent / "stderr"
                logs.mkdir(exist_ok=True)
                for name, text in stderr_logs.items():
                    (logs / f"{name.replace('~', '-')}.log").write_text(text)
            except OSError as exc:
                problems.append(f"could not write the runners' stderr logs beside {path}: "
                                f"{exc.strerror or exc}")
    return problems


# --- merging shards --------------------------------------------------------------------------
class MergeError(ValueError):
    pass


def _shard_name(shard) -> str:
    return f"{shard['index']}/{shard['count']}"


def merge(files: list) -> ResultsFile:
    """One ResultsFile from the result files of the shards of one run (--shard K/N each).
    Refuses files of different runs (seeds, time scale, variant, scenario filter), duplicate
    or missing shards: a merged report is complete or it is not written."""
    if not files:
        raise MergeError("nothing to merge")
    parts = []
    for path in files:
        try:
            parts.append(ResultsFile.from_json(json.loads(pathlib.Path(path).read_text())))
        except (OSError, ValueError) as exc:
            raise MergeError(f"{path}: {exc}") from None
    first = parts[0]
    for path, part in zip(files, parts):
        for attr in ("seeds", "repeat", "time_scale", "slowdown", "fixture_variant", "patterns"):
            if getattr(part, attr) != getattr(first, attr):
                raise MergeError(f"{path}: {attr} {getattr(part, attr)!r} differs from "
                                 f"{files[0]}'s {getattr(first, attr)!r}: not shards of one run")
        if set(part.backends) != set(first.backends):
            raise MergeError(f"{path}: backends {sorted(part.backends)} differ from "
                             f"{files[0]}'s {sorted(first.backends)}")
    shards = [s for part in parts for s in part.shards]
    counts = {s["count"] for s in shards}
    if len(shards) != len(parts) or len(counts) != 1:
        described = [f"{p}: " + (", ".join(_shard_name(s) for s in part.shards) or "not a shard")
                     for p, part in zip(files, parts)]
        raise MergeError("every file must be one shard (--shard K/N) of the same N; got "
                         + "; ".join(described))
    n = counts.pop()
    indexes = sorted(s["index"] for s in shards)
    if indexes != list(range(1, n + 1)):
        dup = sorted({i for i in indexes if indexes.count(i) > 1})
        missing = sorted(set(range(1, n + 1)) - set(indexes))
        raise MergeError(f"shards of {n}: " + "; ".join(part for part in (
            f"missing {', '.join(f'{i}/{n}' for i in missing)}" if missing else "",
            f"given twice {', '.join(f'{i}/{n}' for i in dup)}" if dup else "") if part))
    ids = [r.id for part in parts for r in part.results]
    if len(ids) != len(set(ids)):
        raise MergeError("two shards ran the same run: were they made with the same plan?")
    backends = {}
    for part in parts:
        for name, info in part.backends.items():
            merged = backends.setdefault(name, dict(info, restarts=[]))
            merged["hello"] = merged.get("hello") or info.get("hello")
            merged["restarts"] = merged["restarts"] + list(info.get("restarts") or [])
    order = {r.id: i for i, r in enumerate(sorted(
        (r for part in parts for r in part.results),
        key=lambda r: (list(first.backends).index(r.backend), r.scenario, r.seed, r.repetition)))}
    results = sorted((r for part in parts for r in part.results), key=lambda r: order[r.id])
    interrupted = ", ".join(sorted({p.interrupted for p in parts if p.interrupted})) or None
    return ResultsFile(
        generated=max(p.generated for p in parts),
        wall_time_s=round(max(p.wall_time_s for p in parts), 2),
        time_scale=first.time_scale, slowdown=first.slowdown, seeds=first.seeds,
        repeat=first.repeat, fixture_variant=first.fixture_variant, backends=backends,
        scenarios={k: v for p in parts for k, v in p.scenarios.items()}, results=results,
        interrupted=interrupted, shards=sorted(shards, key=lambda s: s["index"]),
        patterns=first.patterns)


# --- the timeline ----------------------------------------------------------------------------
# How the timeline draws each trace op of the table (names.TRACE_OPS, from observe.h): a
# circle in its colour (COLORS, listed in the legend), not at all (META_OPS: lines about the
# run, not about a handle), or, for every other op of the table, a circle in DEFAULT_COLOR
# (legend "other"). A call's leave line is a DEFAULT_COLOR circle too. A line whose op is not
# in the table (a violation's, op = its code, or a name the table does not know) is a red
# diamond labelled with it. conformance/tests/test_names.py checks that these names are ops of
# the table and that every op of the table gets a mark.
COLORS = {names.trace_op(op): color for op, color in {
    "new": "#0969da", "poll": "#8250df", "wake": "#bf8700", "continuation": "#1a7f37",
    "complete": "#0550ae", "cancel": "#cf222e", "free": "#57606a",
    "foreign-call": "#116329", "foreign-complete": "#2da44e",
    "foreign-dropped": "#953800"}.items()}
META_OPS = {names.trace_op(op) for op in ("configure", "reset", "scenario", "finish", "mode")}
DEFAULT_COLOR = "#6e7781"


def timeline_mark(op, phase=None, violation_codes=()):
    """How the timeline draws a line with `op`: ("hidden", None), ("circle", colour) or
    ("violation", "#cf222e")."""
    if op in META_OPS:
        return "hidden", None
    if op in violation_codes or op not in names.TRACE_OPS:
        return "violation", "#cf222e"
    if phase == "leave":  # a call's exit (complete's status): a grey mark
        return "circle", DEFAULT_COLOR
    return "circle", COLORS.get(op, DEFAULT_COLOR)


def _is_null_handle(handle) -> bool:
    return handle in (None, 0, "0x0", "0")


def timeline_svg(events, failures=(), width=960, lane_h=20, max_lanes=40) -> str:
    """One lane per handle (future or foreign call), one mark per ABI event at its time since
    the monitor's reset; the monitor's violations are red marks labelled with their code."""
    e = html.escape
    events = [ev for ev in events if isinstance(ev, dict)]
    resets = [i for i, ev in enumerate(events) if ev.get("op") == "reset"]
    if resets:
        events = events[resets[-1]:]
    violation_codes = {f.code for f in failures if f.kind == "violation"}
    events = [ev for ev in events if timeline_mark(ev.get("op"))[0] != "hidden"
              and not _is_null_handle(ev.get("handle"))][:3000]
    if not events:
        return ""
    times = [ev.get("t_ns", i) for i, ev in enumerate(events)]
    t0, t1 = min(times), max(times)
    span = (t1 - t0) or 1
    lanes, labels = [], {}
    for ev in events:
        lane = ev.get("handle")
        if lane not in lanes:
            lanes.append(lane)
        if ev.get("op") in COLORS and ev.get("name") and lane not in labels:
            labels[lane] = ev["name"]
    lanes = lanes[:max_lanes]
    left, right, top = 190, 90, 26
    height = top + lane_h * len(lanes) + 44
    plot = width - left - right
    svg = [f"<svg class='timeline' xmlns='http://www.w3.org/2000/svg' width='{width}' "
           f"height='{height}' viewBox='0 0 {width} {height}' role='img' "
           f"aria-label='timeline of {len(events)} ABI events'>",
           f"<rect x='0.5' y='0.5' width='{width - 1}' height='{height - 1}' fill='#fff' "
           "stroke='#d0d7de'/>",
           f"<text x='8' y='16' font-size='11' fill='#57606a'>{len(events)} ABI events over "
           f"{span / 1e6:.2f} ms (time since the monitor's reset; hover a mark)</text>"]
    for k in range(5):  # time axis
        x = left + plot * k / 4
        svg.append(f"<line x1='{x:.1f}' y1='{top - 4}' x2='{x:.1f}' "
                   f"y2='{top + lane_h * len(lanes)}' stroke='#f0f2f4'/>"
                   f"<text x='{x:.1f}' y='{top + lane_h * len(lanes) + 12}' font-size='9' "
                   f"fill='#8c959f' text-anchor='middle'>{(t0 + span * k / 4) / 1e6:.2f} ms</text>")
    for i, lane in enumerate(lanes):
        y = top + i * lane_h + lane_h / 2
        label = f"{labels.get(lane, '')} {str(lane)[-8:]}".strip()
        svg.append(f"<text x='8' y='{y + 4:.1f}' font-size='11' fill='#1b1f24'>"
                   f"{e(label[:28])}</text><line x1='{left}' y1='{y:.1f}' x2='{width - right}' "
                   f"y2='{y:.1f}' stroke='#d8dee4'/>")
    flagged, other = 0, False
    for ev, t in zip(events, times):
        if ev.get("handle") not in lanes:
            continue
        op = str(ev.get("op", "?"))
        x = left + plot * (t - t0) / span
        y = top + lanes.index(ev.get("handle")) * lane_h + lane_h / 2
        tip = e(json.dumps(ev)[:300])
        mark, fill = timeline_mark(op, ev.get("phase"), violation_codes)
        if mark == "violation":
            label_y = y - 6 if flagged % 2 == 0 else y + 14  # alternate: neighbours stay legible
            flagged += 1
            svg.append(f"<g class='violation'><rect x='{x - 5:.1f}' y='{y - 5:.1f}' width='10' "
                       f"height='10' fill='#cf222e' transform='rotate(45 {x:.1f} {y:.1f})'>"
                       f"<title>{tip}</title></rect><text x='{x + 8:.1f}' y='{label_y:.1f}' "
                       f"font-size='10' fill='#cf222e'>{e(op)}</text></g>")
        else:
            other = other or (ev.get("phase") != "leave" and op not in COLORS)
            svg.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='4' "
                       f"fill='{fill}'><title>{tip}</title></circle>")
    legend_y = height - 10
    x = 8
    for op, color in COLORS.items():
        svg.append(f"<circle cx='{x + 4}' cy='{legend_y - 3}' r='4' fill='{color}'/>"
                   f"<text x='{x + 11}' y='{legend_y}' font-size='10' fill='#57606a'>{op}</text>")
        x += 20 + 6 * len(op)
    if other:
        svg.append(f"<circle cx='{x + 4}' cy='{legend_y - 3}' r='4' fill='{DEFAULT_COLOR}'/>"
                   f"<text x='{x + 11}' y='{legend_y}' font-size='10' fill='#57606a'>other</text>")
        x += 20 + 6 * len("other")
    svg.append(f"<rect x='{x}' y='{legend_y - 8}' width='8' height='8' fill='#cf222e' "
               f"transform='rotate(45 {x + 4} {legend_y - 4})'/><text x='{x + 12}' "
               f"y='{legend_y}' font-size='10' fill='#cf222e'>violation</text>")
    svg.append("</svg>")
    return "".join(svg)
