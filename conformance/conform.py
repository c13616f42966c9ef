#!/usr/bin/env python3
"""`./asyncabi conform`: certify backends against the conformance scenarios.

A thin CLI over pytest and the asyncabi_conformance plugin. The plugin declares every option
of a run (asyncabi_conformance/plugin.py, OPTIONS); this script reads that table for its help
and its usage errors and hands the arguments to pytest unchanged. Its own options only name
where the reports go (default BUILD/conformance/: report.html, results.json, junit.xml) and
merge the reports of shards. It prints one result line per backend, the levels earned, the
mutation score, and whether the session was interrupted.

    ./asyncabi conform --backend python [--seeds N] [--shard K/N] [--out DIR]
    ./asyncabi conform --merge shard1/results.json shard2/results.json [--out DIR]

Other arguments (-k EXPR, -x, ...) go to pytest as they are.
"""
import argparse
import os
import pathlib
import signal
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from asyncabi_conformance import locate, plugin, report  # noqa: E402

REPORTS = {"json": "results.json", "html": "report.html", "junit": "junit.xml"}


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        self.exit(2, f"asyncabi conform: error: {message}\n")


def parser() -> Parser:
    p = Parser(prog="asyncabi conform", description=__doc__, allow_abbrev=False,
               formatter_class=argparse.RawDescriptionHelpFormatter)
    run = p.add_argument_group("the run (the plugin's options, passed through to pytest)")
    plugin.add_options(run.add_argument)
    own = p.add_argument_group("reports")
    own.add_argument("--out", help="write report.html, results.json and junit.xml into DIR "
                                   "(default BUILD/conformance)", metavar="DIR")
    own.add_argument("--json", help="the JSON result file (default OUT/results.json)")
    own.add_argument("--html", help="the HTML report (default OUT/report.html)")
    own.add_argument("--junit", help="the JUnit XML (default OUT/junit.xml)")
    own.add_argument("--merge", nargs="+", metavar="RESULTS_JSON",
                     help="merge the result files of the shards of one run (--shard K/N each) "
                          "into one report, instead of running anything")
    own.add_argument("-v", "--verbose", action="store_true", help="one line per test")
    return p


# Options of this script that pytest must not see (the plugin's are passed through).
OWN_WITH_VALUE = {"--out", "--json", "--html", "--junit"}
OWN_FLAGS = {"-v", "--verbose"}


def passthrough(argv) -> list:
    """argv without this script's own options (and without --merge's files)."""
    out, skip = [], 0
    for arg in argv:
        if skip:
            skip -= 1
            continue
        name = arg.split("=", 1)[0]
        if name in OWN_WITH_VALUE:
            skip = 0 if "=" in arg else 1
            continue
        if name in OWN_FLAGS:
            continue
        out.append(arg)
    return out


def outputs(args, build) -> dict:
    out_dir = pathlib.Path(args.out) if args.out else build / "conformance"
    return {kind: getattr(args, kind) or getattr(args, f"conform_{kind}") or str(out_dir / name)
            for kind, name in REPORTS.items()}


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    p = parser()
    args, extra = p.parse_known_args(argv)
    build = locate.build_dir(args.build_dir)
    paths = outputs(args, build)
    for kind, path in paths.items():
        problem = plugin.writable(path)
        if problem:
            print(f"asyncabi conform: error: cannot write the {kind.upper()} report to {path}: "
                  f"{problem}", file=sys.stderr)
            return 2
    if args.merge:
        return merge(args.merge, paths)

    pytest_args = [
        str(locate.SCENARIOS), "-p", "no:cacheprovider",
        "--rootdir", str(HERE), "-c", "/dev/null",
        "--conform-json", paths["json"], "--conform-html", paths["html"],
        "--conform-junit", paths["junit"],
        "-q" if not args.verbose else "-v", "-rfE", "--tb=short",
    ]
    forwarded = passthrough(argv)
    if args.build_dir is None:
        forwarded += ["--build-dir", str(build)]
    if args.mutants is None:  # a filtered or single-mutant run is about one thing: no mutants
        # (a shard is not a filter: its plan is the whole run's, so that shards merge)
        filtered = args.scenario or any("~" in b for b in args.backend)
        forwarded += ["--mutants", "none" if filtered else "all"]
    if not args.producer:  # the matrix: every backend against both producers
        forwarded += ["--producer", os.environ.get("ASYNCABI_PRODUCERS") or "c,rust"]
    import pytest
    start = time.monotonic()
    start_wall = time.time() - 1  # file times have coarse resolution on some file systems
    status = int(pytest.main(pytest_args + forwarded, plugins=[plugin]))
    wall = time.monotonic() - start
    if status == int(pytest.ExitCode.USAGE_ERROR):
        return 2  # pytest printed the one line that says what is wrong
    # Name only the reports this run wrote: a run stopped by a usage error writes none.
    written = [p for p in (paths["html"], paths["json"], paths["junit"])
               if pathlib.Path(p).exists() and pathlib.Path(p).stat().st_mtime >= start_wall]
    print(f"conform: reports: {', '.join(written) if written else 'none written'}")
    interrupted = plugin.last_interruption()
    if interrupted:
        data = plugin.last_results()
        missing = len(data.not_run) if data else "?"
        print(f"conform: INTERRUPTED by {interrupted} after {wall:.1f} s: {missing} planned "
              "runs not run; the reports say so")
        return 128 + int(getattr(signal, interrupted, signal.SIGINT))
    print(f"conform: {'PASS' if status == 0 else 'FAIL'} (pytest exit {status}) in {wall:.1f} s")
    return status


def merge(files, paths) -> int:
    try:
        data = report.merge(files)
    except report.MergeError as exc:
        print(f"asyncabi conform: error: --merge: {exc}", file=sys.stderr)
        return 2
    problems = report.write_all(data, paths)
    for line in report.summary_lines(data):
        print(line)
    for line in problems:
        print(f"conform: {line}")
    written = [paths[k] for k in ("html", "json", "junit")
               if not any(paths[k] in line for line in problems)]
    print(f"conform: merged {len(files)} shard reports; reports: {', '.join(written)}")
    ok = data.passed() and not problems
    print(f"conform: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
