#!/usr/bin/env python3
"""`./asyncabi conform`: certify backends against the conformance scenarios.

A thin CLI over pytest and the asyncabi_conformance plugin: it maps its options to the
plugin's, always writes the HTML, JSON and JUnit reports (default: BUILD/conformance/), and
prints one result line per backend plus the mutation score.

    ./asyncabi conform --backend python [--json FILE] [--html FILE] [--junit FILE] [--seed N]
"""
import argparse
import os
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from asyncabi_conformance import locate  # noqa: E402


def _seed_list(text: str) -> str:
    """A seed, or a comma list of seeds: whole numbers, checked here so a typo is a usage error."""
    parts = [p for p in text.split(",") if p.strip()]
    if not parts or not all(p.strip().isdigit() for p in parts):
        raise argparse.ArgumentTypeError(f"seeds are whole numbers (e.g. 7 or 1,2,3), not {text!r}")
    return ",".join(p.strip() for p in parts)


def _at_least(minimum, kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {text}")
        return value
    return parse


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="asyncabi conform", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", required=True, help="the CMake build tree")
    parser.add_argument("--backend", action="append", default=[],
                        help="backend to certify (repeatable; default python); "
                             "NAME~MUTANT runs one mutant")
    parser.add_argument("--seed", action="append", default=[], type=_seed_list,
                        help="seed (repeatable, or a comma list)")
    parser.add_argument("--seeds", type=_at_least(1, int), default=None,
                        help="run seeds 1..N (default: 1 unless --seed is given)")
    parser.add_argument("--repeat", type=_at_least(1, int), default=1,
                        help="repetitions of every scenario")
    parser.add_argument("--time-scale", type=_at_least(0.001, float), default=None,
                        help="multiply every duration (default: $ASYNCABI_TIME_SCALE or 1)")
    parser.add_argument("--scenario", action="append", default=[],
                        help="only scenarios whose id matches this glob (repeatable)")
    parser.add_argument("--mutants", default=None,
                        help="mutants to run as well: all (default for a full run), none, "
                             "or a comma list")
    parser.add_argument("--fixture-variant", choices=["plain", "asan", "tsan"], default=None,
                        help="load the fixtures' sanitizer build, with that sanitizer's runtime "
                             "preloaded into the runner (default plain)")
    parser.add_argument("--json", help="JSON result file (default BUILD/conformance/results.json)")
    parser.add_argument("--html", help="HTML report (default BUILD/conformance/report.html)")
    parser.add_argument("--junit", help="JUnit XML (default BUILD/conformance/junit.xml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per test")
    args, extra = parser.parse_known_args(argv)

    build = pathlib.Path(args.build_dir).resolve()
    out_dir = build / "conformance"
    seeds = args.seed or [str(s) for s in range(1, (args.seeds or 1) + 1)]
    mutants = args.mutants
    if mutants is None:  # a filtered or single-mutant run is about one thing: no mutants
        mutants = "none" if args.scenario or any("~" in b for b in args.backend) else "all"
    pytest_args = [
        str(locate.SCENARIOS), "-p", "asyncabi_conformance.plugin", "-p", "no:cacheprovider",
        "--rootdir", str(HERE), "-c", os.devnull,
        "--build-dir", str(build), "--mutants", mutants,
        "--repeat", str(args.repeat),
        "--conform-json", args.json or str(out_dir / "results.json"),
        "--conform-html", args.html or str(out_dir / "report.html"),
        "--junitxml", args.junit or str(out_dir / "junit.xml"),
        "-o", "junit_suite_name=asyncabi-conformance", "-o", "junit_family=xunit2",
        "-q" if not args.verbose else "-v", "-rfE", "--tb=short",
    ]
    for backend in args.backend or ["python"]:
        pytest_args += ["--backend", backend]
    for seed in seeds:
        pytest_args += ["--seed", str(seed)]
    for pattern in args.scenario:
        pytest_args += ["--scenario", pattern]
    if args.time_scale is not None:
        pytest_args += ["--time-scale", str(args.time_scale)]
    if args.fixture_variant is not None:
        pytest_args += ["--fixture-variant", args.fixture_variant]
    pytest_args += extra

    import pytest
    start = time.monotonic()
    start_wall = time.time() - 1  # file times have coarse resolution on some file systems
    status = pytest.main(pytest_args)
    wall = time.monotonic() - start
    # Name only the reports this run wrote: a run stopped by a usage error writes none.
    reports = [pathlib.Path(p) for p in (args.html or out_dir / "report.html",
                                         args.json or out_dir / "results.json",
                                         args.junit or out_dir / "junit.xml")]
    written = [str(p) for p in reports if p.exists() and p.stat().st_mtime >= start_wall]
    print(f"conform: reports: {', '.join(written) if written else 'none written'}")
    print(f"conform: {'PASS' if status == 0 else 'FAIL'} (pytest exit {int(status)}) "
          f"in {wall:.1f} s")
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
