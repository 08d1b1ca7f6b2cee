#!/usr/bin/env python3
"""Reads meson's testlog.json and prints, as its last line, "N passed, N failed".

A test passes when its result is OK or EXPECTEDFAIL; every other result (FAIL, TIMEOUT,
ERROR, UNEXPECTEDPASS and SKIP: no silent skips) fails. Exit status 1 if any test failed
or none ran."""
import json
import sys

PASSING = {"OK", "EXPECTEDFAIL"}


def main(path):
    results = []
    try:
        with open(path, encoding="utf-8") as log:
            for line in log:
                if line.strip():
                    entry = json.loads(line)
                    results.append((entry["name"], entry["result"]))
    except FileNotFoundError:
        print(f"test: {path} not found: meson ran no tests")
    failed = [(name, result) for name, result in results if result not in PASSING]
    for name, result in failed:
        print(f"FAILED {result}: {name}")
    passed = len(results) - len(failed)
    print(f"{passed} passed, {len(failed)} failed")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/meson-logs/testlog.json"))
