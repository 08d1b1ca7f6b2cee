#!/usr/bin/env python3
"""Reads meson's testlog.json files and prints, as its last line, "N passed, N failed".

A test passes when its result is OK or EXPECTEDFAIL; every other result (FAIL, TIMEOUT,
ERROR, UNEXPECTEDPASS and SKIP: no silent skips) fails; so does a log that is missing (its
build failed). Exit status 1 if anything failed or no test ran.
usage: test_summary.py [LOG.json ...]   (default build/meson-logs/testlog.json)"""
import json
import sys

PASSING = {"OK", "EXPECTEDFAIL"}


def main(paths):
    results = []
    missing = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as log:
                for line in log:
                    if line.strip():
                        entry = json.loads(line)
                        results.append((entry["name"], entry["result"]))
        except FileNotFoundError:
            print(f"test: {path} not found: meson ran no tests there")
            missing += 1
    failed = [(name, result) for name, result in results if result not in PASSING]
    for name, result in failed:
        print(f"FAILED {result}: {name}")
    passed = len(results) - len(failed)
    print(f"{passed} passed, {len(failed) + missing} failed")
    return 1 if failed or missing or not results else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["build/meson-logs/testlog.json"]))
