"""Readable output: the failure text of one test, the summary lines, the static HTML page.

The page is one self-contained file (no scripts, no external assets): the scenario x backend
matrix, what each backend declares, the mutation score, and for every failure the monitor's
violations, the runner's stderr, a timeline of the fixture's trace (inline SVG) and the command
that reproduces it.
"""
import html
import json

CAPABILITIES = ["cancellation", "foreign_async", "threads"]


# --- text ------------------------------------------------------------------------------------

def _variant_note(data, sep=", "):
    """', fixtures asan' when the run loaded a sanitizer build of the fixtures."""
    variant = data.get("fixture_variant", "plain")
    return "" if variant == "plain" else f"{sep}fixtures {variant}"

def failure_text(record) -> str:
    lines = [f"{record['scenario']} on {record['backend']} (seed {record['seed']}): "
             f"{len(record['failures'])} failure(s)"]
    for f in record["failures"]:
        lines.append(f"  - [{f.get('code') or f['kind']}] {f['message']}")
        if f.get("sequence"):
            lines.append(f"      sequence: {' -> '.join(map(str, f['sequence']))}")
    if record.get("stderr"):
        lines.append("  runner stderr (last lines):")
        lines += ["    " + line for line in record["stderr"].splitlines()[-15:]]
    lines.append(f"  reproduce: {record['reproduce']}")
    return "\n".join(lines)


def summary_lines(data) -> list:
    lines = []
    per_backend = {}
    for r in data["results"]:
        if r["mutant"]:
            continue
        row = per_backend.setdefault(r["backend"], {"scenarios": set(), "failed": set(),
                                                    "unsupported": set(), "runs": 0})
        row["scenarios"].add(r["scenario"])
        row["runs"] += 1
        if r["status"] == "failed":
            row["failed"].add(r["scenario"])
        elif r["status"] == "unsupported":
            row["unsupported"].add(r["scenario"])
    for backend, row in per_backend.items():
        total = len(row["scenarios"])
        passed = total - len(row["failed"]) - len(row["unsupported"])
        lines.append(
            f"conform: {backend}: {passed}/{total} scenarios passed, {len(row['failed'])} "
            f"failed, {len(row['unsupported'])} unsupported ({row['runs']} runs, seeds "
            f"{','.join(map(str, data['seeds']))}, x{data['repeat']}, time scale "
            f"{data['time_scale']:g}{_variant_note(data)}); wall {data['wall_time_s']:.1f} s")
    mutation = data["mutation"]
    if mutation["total"]:
        lines.append(f"mutation score: {mutation['killed']}/{mutation['total']} mutants killed "
                     f"({100 * mutation['score']:.0f}%)")
        for m in mutation["mutants"]:
            verdict = ("killed by " + m["killed_by"] + " with " + ", ".join(m["symptoms"])
                       if m["killed"] else "SURVIVED")
            flag = "" if m["as_expected"] or not m["killed"] else "  (expected " + \
                ", ".join(m["expected"]) + ")"
            lines.append(f"  {m['mutant']:<28} {verdict}{flag}")
    return lines


# --- HTML ------------------------------------------------------------------------------------
STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;max-width:1400px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:6px 0} td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
th{background:#f6f8fa} .pass{background:#dafbe1} .fail{background:#ffd7d5} .skip{background:#eaeef2;color:#57606a}
.killed{background:#dafbe1} .survived{background:#ffd7d5} code,pre{font:12px ui-monospace,monospace}
pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:320px;border:1px solid #d0d7de}
.muted{color:#57606a} details{margin:8px 0;border:1px solid #d0d7de;padding:6px 10px;border-radius:6px}
summary{cursor:pointer;font-weight:600} .badge{display:inline-block;padding:0 6px;border-radius:8px;margin-right:4px}
"""


def render_html(data) -> str:
    e = html.escape
    results = data["results"]
    real = [b for b, s in data["backends"].items() if not s.get("mutant")]
    mutants = [b for b, s in data["backends"].items() if s.get("mutant")]
    scenario_ids = sorted({r["scenario"] for r in results})
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           "<title>asyncabi conformance report</title>", f"<style>{STYLE}</style></head><body>",
           "<h1>asyncabi conformance report</h1>",
           f"<p class='muted'>{e(data['generated'])} · seeds {e(', '.join(map(str, data['seeds'])))}"
           f" · repetitions {data['repeat']} · time scale {data['time_scale']:g}"
           f"{e(_variant_note(data, ' · '))}"
           f" · wall time {data['wall_time_s']:.1f} s</p>"]
    out.append("<ul id='summary'>")
    for line in summary_lines(data):
        if not line.startswith("  "):
            out.append(f"<li>{e(line)}</li>")
    out.append("</ul>")

    # Capability levels.
    out.append("<h2>Backends and capabilities</h2><table id='capabilities'><tr><th>backend</th>"
               "<th>version</th><th>implementation</th>"
               + "".join(f"<th>{e(c)}</th>" for c in CAPABILITIES)
               + "<th>level</th><th>restarts</th></tr>")
    for b in real:
        hello = data["backends"][b].get("hello") or {}
        caps = set(hello.get("capabilities", []))
        cells = []
        for c in CAPABILITIES:
            runs = [r for r in results if r["backend"] == b and c in r["capabilities"]]
            ok = sum(1 for r in runs if r["status"] == "passed")
            if c in caps:
                cls = "pass" if ok == len(runs) else "fail"
                cells.append(f"<td class='{cls}'>declared · {ok}/{len(runs)} runs pass</td>")
            else:
                cells.append(f"<td class='skip'>not declared · {len(runs)} runs skipped</td>")
        restarts = data["backends"][b].get("restarts") or []
        out.append(f"<tr><td>{e(b)}</td><td>{e(str(hello.get('version', '?')))}</td>"
                   f"<td>{e(str(hello.get('implementation', '')))}</td>{''.join(cells)}"
                   f"<td class='level'>{e(capability_level(caps))}</td>"
                   f"<td title='{e('; '.join(restarts))}'>{len(restarts)}</td></tr>")
    out.append("</table>")

    # Matrix.
    out.append("<h2>Scenario × backend</h2><table id='matrix'><tr><th>scenario</th>"
               "<th>needs</th>" + "".join(f"<th>{e(b)}</th>" for b in real) + "</tr>")
    for sid in scenario_ids:
        info = data["scenarios"].get(sid, {})
        row = [f"<tr data-scenario='{e(sid)}'><td title='{e(info.get('title', ''))}'>"
               f"<code>{e(sid)}</code></td>"
               f"<td class='muted'>{e(', '.join(info.get('capabilities', [])) or '-')}</td>"]
        for b in real:
            runs = [r for r in results if r["backend"] == b and r["scenario"] == sid]
            row.append(_cell(runs))
        out.append("".join(row) + "</tr>")
    out.append("</table>")

    # Mutants.
    mutation = data["mutation"]
    if mutants:
        out.append(f"<h2>Mutants: the suite tests itself</h2><p id='mutation-score'>"
                   f"Mutation score: <b>{mutation['killed']}/{mutation['total']}</b> killed "
                   f"({100 * (mutation['score'] or 0):.0f}%)</p><table id='mutants'><tr>"
                   "<th>mutant</th><th>bug it plants</th><th>killed by</th><th>symptoms</th>"
                   "<th>expected</th></tr>")
        for m in mutation["mutants"]:
            cls = "killed" if m["killed"] and m["as_expected"] else "survived"
            out.append(f"<tr class='{cls}'><td><code>{e(m['mutant'])}</code></td>"
                       f"<td>{e(m['bug'])}</td><td>{e(m['killed_by'] or 'SURVIVED')}</td>"
                       f"<td>{e(', '.join(m['symptoms']))}</td>"
                       f"<td>{e(', '.join(m['expected']))}</td></tr>")
        out.append("</table>")

    # Failures of the real backends (mutant kills are summarised above, one detail each).
    failures = [r for r in results if r["status"] == "failed" and not r["mutant"]]
    kills = [r for r in results if r["status"] == "failed" and r["mutant"]]
    out.append(f"<h2>Failures ({len(failures)})</h2>")
    if not failures:
        out.append("<p id='no-failures'>Every run of every real backend passed.</p>")
    for r in failures:
        out.append(_failure_html(r, open_=True))
    if kills:
        out.append(f"<h2>How each mutant was caught ({len(kills)})</h2>")
        for r in kills:  # open when the run was about mutants alone (a reproduction)
            out.append(_failure_html(r, open_=not real))
    out.append("</body></html>")
    return "\n".join(out)


def capability_level(declared) -> str:
    """'core' (await a call), plus what the backend declares; 'full' when it declares all."""
    extra = [c for c in CAPABILITIES if c in declared]
    if len(extra) == len(CAPABILITIES):
        return "full"
    return " + ".join(["core"] + extra)


def _cell(runs) -> str:
    if not runs:
        return "<td class='skip'>-</td>"
    failed = [r for r in runs if r["status"] == "failed"]
    unsupported = [r for r in runs if r["status"] == "unsupported"]
    if unsupported and len(unsupported) == len(runs):
        return (f"<td class='skip' title='missing "
                f"{html.escape(', '.join(unsupported[0].get('missing_capabilities', [])))}'>"
                "unsupported</td>")
    ok = len(runs) - len(failed) - len(unsupported)
    if failed:
        anchor = _anchor(failed[0])
        return f"<td class='fail'><a href='#{anchor}'>{ok}/{len(runs)} pass</a></td>"
    return f"<td class='pass'>{ok}/{len(runs)} pass</td>"


def _anchor(record) -> str:
    return "f-" + "".join(ch if ch.isalnum() else "-" for ch in
                          f"{record['backend']}-{record['scenario']}-{record['seed']}-"
                          f"{record['repetition']}")


def _failure_html(r, open_) -> str:
    e = html.escape
    parts = [f"<details id='{_anchor(r)}' class='failure'{' open' if open_ else ''}>"
             f"<summary>{e(r['scenario'])} · {e(r['backend'])} · seed {r['seed']} · "
             f"{e(', '.join(r.get('symptoms', [])))}</summary>",
             f"<p>{e(r['title'])}</p><ul>"]
    for f in r["failures"]:
        code = f.get("code") or f["kind"]
        seq = f" <span class='muted'>({e(' → '.join(map(str, f['sequence'])))})</span>" \
            if f.get("sequence") else ""
        parts.append(f"<li><span class='badge fail'>{e(code)}</span>{e(f['message'])}{seq}</li>")
    parts.append("</ul>")
    parts.append(f"<p>Reproduce: <code class='repro'>{e(r['reproduce'])}</code></p>")
    if r.get("trace"):
        parts.append(timeline_svg(r["trace"], r["failures"]))
    else:
        parts.append("<p class='muted'>No trace events were recorded for this run.</p>")
    parts.append("<p>Runner stderr:</p><pre class='stderr'>"
                 f"{e(r.get('stderr') or '(empty)')}</pre>")
    if r.get("steps"):
        parts.append("<details><summary>Step outcomes</summary><pre>"
                     f"{e(json.dumps(r['steps'], indent=1)[:20000])}</pre></details>")
    if r.get("monitor"):
        parts.append("<details><summary>Monitor report</summary><pre>"
                     f"{e(json.dumps(r['monitor'], indent=1)[:20000])}</pre></details>")
    parts.append("</details>")
    return "\n".join(parts)


# --- the timeline ----------------------------------------------------------------------------
COLORS = {"new": "#0969da", "poll": "#8250df", "wake": "#bf8700", "continuation": "#1a7f37",
          "complete": "#0550ae", "cancel": "#cf222e", "free": "#57606a",
          "foreign-call": "#116329", "foreign-complete": "#2da44e", "foreign-dropped": "#953800"}
META_OPS = {"configure", "reset", "scenario", "finish"}


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
    violation_codes = {f.get("code") for f in failures if f.get("kind") == "violation"}
    events = [ev for ev in events if ev.get("op") not in META_OPS
              and not _is_null_handle(ev.get("handle"))][:3000]
    if not events:
        return ""
    times = [ev.get("t_ns", i) for i, ev in enumerate(events)]
    t0, t1 = min(times), max(times)
    span = (t1 - t0) or 1
    lanes, names = [], {}
    for ev in events:
        lane = ev.get("handle")
        if lane not in lanes:
            lanes.append(lane)
        if ev.get("op") in COLORS and ev.get("name") and lane not in names:
            names[lane] = ev["name"]
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
        label = f"{names.get(lane, '')} {str(lane)[-8:]}".strip()
        svg.append(f"<text x='8' y='{y + 4:.1f}' font-size='11' fill='#1b1f24'>"
                   f"{e(label[:28])}</text><line x1='{left}' y1='{y:.1f}' x2='{width - right}' "
                   f"y2='{y:.1f}' stroke='#d8dee4'/>")
    flagged = 0
    for ev, t in zip(events, times):
        if ev.get("handle") not in lanes:
            continue
        op = str(ev.get("op", "?"))
        x = left + plot * (t - t0) / span
        y = top + lanes.index(ev.get("handle")) * lane_h + lane_h / 2
        tip = e(json.dumps(ev)[:300])
        if op in violation_codes or (op not in COLORS and op != "complete-status"):
            label_y = y - 6 if flagged % 2 == 0 else y + 14  # alternate: neighbours stay legible
            flagged += 1
            svg.append(f"<g class='violation'><rect x='{x - 5:.1f}' y='{y - 5:.1f}' width='10' "
                       f"height='10' fill='#cf222e' transform='rotate(45 {x:.1f} {y:.1f})'>"
                       f"<title>{tip}</title></rect><text x='{x + 8:.1f}' y='{label_y:.1f}' "
                       f"font-size='10' fill='#cf222e'>{e(op)}</text></g>")
        else:
            svg.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='4' "
                       f"fill='{COLORS.get(op, '#6e7781')}'><title>{tip}</title></circle>")
    legend_y = height - 10
    x = 8
    for op, color in COLORS.items():
        svg.append(f"<circle cx='{x + 4}' cy='{legend_y - 3}' r='4' fill='{color}'/>"
                   f"<text x='{x + 11}' y='{legend_y}' font-size='10' fill='#57606a'>{op}</text>")
        x += 20 + 6 * len(op)
    svg.append(f"<rect x='{x}' y='{legend_y - 8}' width='8' height='8' fill='#cf222e' "
               f"transform='rotate(45 {x + 4} {legend_y - 4})'/><text x='{x + 12}' "
               f"y='{legend_y}' font-size='10' fill='#cf222e'>violation</text>")
    svg.append("</svg>")
    return "".join(svg)
