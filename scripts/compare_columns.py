#!/usr/bin/env python3
"""Checks that two folders of CSV tables hold the same numbers: every column present in both
files of the same path has identical cells, row by row; columns only in one folder are listed
(added or removed). Used to show that a change of outputs only adds or removes columns.

usage: scripts/compare_columns.py OLD_DIR NEW_DIR
"""
import csv
import pathlib
import sys


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def main(old, new):
    old, new = pathlib.Path(old), pathlib.Path(new)
    changed = 0
    for path in sorted(old.rglob("*.csv")):
        rel = path.relative_to(old)
        other = new / rel
        if not other.exists():
            print(f"{rel}: missing in the new folder")
            changed += 1
            continue
        (h1, r1), (h2, r2) = read(path), read(other)
        if len(r1) != len(r2):
            print(f"{rel}: {len(r1)} rows, now {len(r2)}")
            changed += 1
            continue
        common = [c for c in h1 if c in h2]
        for c in common:
            i, j = h1.index(c), h2.index(c)
            diff = [k for k in range(len(r1)) if r1[k][i] != r2[k][j]]
            if diff:
                k = diff[0]
                print(f"{rel}: column {c} differs in {len(diff)} rows (row {k + 1}: {r1[k][i]!r} -> {r2[k][j]!r})")
                changed += 1
        removed = [c for c in h1 if c not in h2]
        added = [c for c in h2 if c not in h1]
        if removed:
            print(f"{rel}: removed (empty) columns: {' '.join(removed)}")
            for c in removed:
                i = h1.index(c)
                if any(r[i] != "" for r in r1):
                    print(f"{rel}: removed column {c} was NOT empty")
                    changed += 1
        print(f"{rel}: {len(common)} columns identical; added {len(added)}: {' '.join(added)}")
    for path in sorted(new.rglob("*.csv")):
        if not (old / path.relative_to(old if False else new)).exists():
            print(f"{path.relative_to(new)}: new file")
    print("NUMBERS CHANGED" if changed else "no number changed: only columns added or removed")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
