#!/usr/bin/env bash
# The tour behind `./asyncabi demo`: export async C, await it from Python (the project's runner,
# then UniFFI's own generated bindings), check the producer statically, then certify the Python
# backend with the conformance suite.
set -euo pipefail
BUILD="$(cd "${1:?usage: demo.sh BUILD_DIR}" && pwd)"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPORTS="$ROOT/reports/demo"
mkdir -p "$REPORTS"

echo "== 1. say_after(), exported from C (examples/hello/hello.c), awaited from Python asyncio"
python3 "$ROOT/examples/hello/say_after.py" "$BUILD"

echo
echo "== 2. UniFFI's own generated Python (uniffi-bindgen 0.32.2, from examples/hello/hello.udl) awaits the C library"
HELLO="$BUILD/examples/hello"
BINDINGS="$REPORTS/bindings"
rm -rf "$BINDINGS"
"$BUILD/bin/uniffi-bindgen" generate "$HELLO/bindgen-crate/src/hello.udl" \
  --config "$HELLO/bindgen-crate/uniffi-bindgen.toml" --language python --no-format \
  --out-dir "$BINDINGS" >/dev/null
ln -s "$HELLO/libasyncabi_example_hello.so" "$BINDINGS/"
(cd "$BINDINGS" && python3 - <<'PY'
import asyncio
import hello  # UniFFI's module: loads libasyncabi_example_hello.so, checks the contract version

hello._uniffi_check_api_checksums(hello._UniffiLib)  # 0.32's Python ships this call commented out


async def main():
    for line in await asyncio.gather(hello.say_after(200, "Alice"), hello.say_after(100, "Bob")):
        print("  " + line)

asyncio.run(main())
print("  contract version and checksums match: UniFFI's bindings load the C library as they would a Rust one")
PY
)

echo
echo "== 3. asyncabi-check on the example (expect: clean) and on fixtures/bad (expect: findings)"
"$BUILD/checker/asyncabi-check" -p "$BUILD" "$ROOT/examples/hello/hello.c"
echo "   examples/hello: no findings"
set +e
"$BUILD/checker/asyncabi-check" "$ROOT/fixtures/bad" > "$REPORTS/bad.txt"
status=$?
set -e
if [ "$status" -ne 1 ]; then
  echo "demo: expected findings (exit 1) on fixtures/bad, got exit $status" >&2
  exit 1
fi
grep -E '^[^ ].*: (warning|error): ' "$REPORTS/bad.txt" | head -n 6 | sed 's|^'"$ROOT"'/||'
echo "   ... $(grep -cE ': (warning|error): ' "$REPORTS/bad.txt") findings in all ($REPORTS/bad.txt)"

echo
echo "== 4. Certify the Python asyncio backend against the fixtures (conformance suite)"
python3 "$ROOT/conformance/conform.py" --build-dir "$BUILD" --backend python --producer c \
  --html "$REPORTS/conformance.html" --json "$REPORTS/conformance.json" \
  --junit "$REPORTS/conformance.xml"
echo "   report: $REPORTS/conformance.html"
