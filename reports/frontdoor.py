"""The front door's shared rules: paths from the caller's folder, one output folder per run with a
`latest` link, arguments checked before any build or work, closest-name hints.

Used by conformance/run, sim/zlab-sim (through sim_front.py), reports/report_cli.py and
reports/sweep.py. Standard library only.
"""

import argparse
import difflib
import os
import re
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def out_root():
    """Where runs write: out/ of the checkout ($ZLAB_OUT overrides, e.g. for tests)."""
    return Path(os.environ.get("ZLAB_OUT") or ROOT / "out")


def caller_dir():
    """Where the user typed ./zlab: relative paths they give start there (./zlab cd's to the root)."""
    return Path(os.environ.get("ZLAB_CALLER_DIR") or os.getcwd())


def caller_path(text):
    """A path argument as the user meant it: absolute as given, relative from the caller's folder."""
    p = Path(os.path.expanduser(str(text)))
    return p if p.is_absolute() else caller_dir() / p


def new_run_dir(base):
    """base/<UTC time>[-N]/, new and empty, and base/latest pointing at it (replaced atomically).

    Every run gets its own folder, so a replay never overwrites the full report before it."""
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    for n in range(1000):
        run = base / (stamp if n == 0 else f"{stamp}-{n}")
        try:
            run.mkdir()
            break
        except FileExistsError:
            continue
    else:
        raise OSError(f"cannot make a run folder under {base}")
    link = base / "latest"
    tmp = base / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(run.name)
    os.replace(tmp, link)
    return run


def writable_parent(text, what):
    """An output file's path (from the caller's folder) whose folder exists: checked before work."""
    p = caller_path(text)
    if not p.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{what} {text}: folder {p.parent} does not exist")
    return p


def count(minimum):
    """argparse type: an integer >= minimum, with an error that says so."""
    def parse(text):
        try:
            v = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if v < minimum:
            raise argparse.ArgumentTypeError(f"{text} is less than {minimum}")
        return v
    parse.__name__ = f"integer >= {minimum}"
    return parse


SEED_MAX = 2**64 - 1


def seed(text):
    v = count(0)(text)
    if v > SEED_MAX:
        raise argparse.ArgumentTypeError(f"{text} is more than 2^64-1")
    return v


def seed_range(text):
    """A..B (or N) of seeds, 0 <= A <= B."""
    a, sep, b = str(text).partition("..")
    try:
        first = seed(a)
        last = seed(b) if sep else first
    except argparse.ArgumentTypeError as e:
        raise argparse.ArgumentTypeError(f"seed range {text!r}: {e}") from None
    if last < first:
        raise argparse.ArgumentTypeError(f"seed range {text!r} is empty ({last} < {first})")
    return first, last


def name_list(text, known, what, specials=()):
    """A comma list of names: no empty items, no empty list, every name known (closest hints)."""
    if text in specials:
        return text
    items = str(text).split(",")
    if not text or any(not i.strip() for i in items):
        raise argparse.ArgumentTypeError(
            f"{what} list {text!r} has an empty item (give names separated by single commas"
            + (f", or {' / '.join(specials)}" if specials else "") + ")")
    for i in items:
        if known and i not in known and i not in specials:
            raise argparse.ArgumentTypeError(f"unknown {what} {i!r}{hint(i, known)}")
    return text


def closest(name, candidates, n=5):
    """Candidates nearest to name: those it is a prefix of first, then difflib's best."""
    cands = list(candidates)
    stem = name.replace("*", "").replace("?", "").rstrip("/")
    prefixed = [c for c in cands if stem and c.startswith(stem)]
    near = difflib.get_close_matches(name, cands, n=n, cutoff=0.4)
    out = []
    for c in prefixed[:n] + near:
        if c not in out:
            out.append(c)
    return out[:n]


def hint(name, candidates):
    near = closest(name, candidates)
    return f"; closest: {', '.join(near)}" if near else ""


def git(*args, cwd=ROOT):
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def source_info():
    """commit, branch and whether the tree has uncommitted changes (they make verdicts not
    comparable by commit: the same commit with different code)."""
    commit = git("rev-parse", "HEAD")
    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return {"commit": commit, "branch": branch, "dirty": dirty}


def names_in_source(path, pattern):
    """Names listed in a C++ table (the single truth), read without building anything."""
    try:
        return re.findall(pattern, (ROOT / path).read_text())
    except OSError:
        return []


def sim_faults():
    return names_in_source("sim/fault/faults.cc", r'\{FaultKind::k\w+, "(\w+)"')


def sim_scenarios():
    return names_in_source("sim/scenario/registry.cc", r'\{"(\w+)",\s*"')


def glob_hint(pattern, ids):
    """For a glob that matched nothing: a wider glob that would match, and the closest ids."""
    import fnmatch

    for wider in (pattern.rstrip("/") + "/*", pattern + "*", "*" + pattern + "*"):
        n = sum(1 for i in ids if fnmatch.fnmatchcase(i, wider))
        if n:
            return f"; did you mean --only '{wider}' ({n} rules)?{hint(pattern, ids)}"
    return hint(pattern, ids) or (f"; rule ids look like {ids[0]} or {ids[-1]}" if ids else "")
