"""./zlab fuzz --libfuzzer TARGET: build one libFuzzer target with clang (bazel
--config=libfuzzer) and run it for real on a scratch copy of its committed corpus.

New inputs go to out/fuzz/libfuzzer/TARGET/corpus (never into the committed seeds); a crash,
leak or sanitizer report leaves its input under out/fuzz/libfuzzer/TARGET/ and fails the run.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ["frame_decoder", "greeting", "command", "zmtp_connection", "z85", "endpoint",
           "socket_options", "plain_mechanism", "curve_mechanism"]


# Inputs longer than these add no structure (socket_options: ~10-100 settings of at most 41
# bytes; a 4096-byte input is a thousand setsockopt calls and ran at half the speed).
MAX_LEN = {"socket_options": 1024}


def build(targets):
    labels = [f"//fuzz/libfuzzer:{t}_fuzzer" for t in targets]
    subprocess.run(["bazel", "build", "--config=libfuzzer", *labels], cwd=ROOT, check=True)


def binaries():
    """Where --config=libfuzzer puts the *_fuzzer binaries (that config makes no bazel-bin
    symlink, the default build keeps it)."""
    out = subprocess.run(["bazel", "info", "output_path"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    return Path(out) / "k8-fastbuildlibfuzzer" / "bin" / "fuzz" / "libfuzzer"


def run(target, seconds=None, runs=None, extra=(), out_dir=None, built=False, binary_dir=None,
        quiet=False, corpus=None):
    """Runs one target (building it unless `built`) on `corpus` (a folder kept across runs) or
    a scratch one in the run's folder; returns (exit status, executions)."""
    if target not in TARGETS:
        raise SystemExit(f"zlab fuzz: unknown libFuzzer target '{target}' "
                         f"(one of {', '.join(TARGETS)})")
    if not built:
        build([target])
    work = Path(out_dir or ROOT / "out" / "fuzz" / "libfuzzer") / target
    work.mkdir(parents=True, exist_ok=True)
    corpus = Path(corpus) if corpus else work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    binary = Path(binary_dir or binaries()) / (target + "_fuzzer")
    seeds = ROOT / "fuzz" / "libfuzzer" / "corpus" / target
    args = [str(binary), str(corpus), str(seeds), f"-artifact_prefix={work}/",
            "-print_final_stats=1", f"-max_len={MAX_LEN.get(target, 4096)}"]
    dictionary = ROOT / "fuzz" / "libfuzzer" / "zmtp.dict"
    if target in ("frame_decoder", "command", "zmtp_connection", "greeting"):
        args.append(f"-dict={dictionary}")
    if seconds is not None:
        args.append(f"-max_total_time={seconds}")
    if runs is not None:
        args.append(f"-runs={runs}")
    args += list(extra)
    if not quiet:
        print("zlab fuzz:", " ".join(args), file=sys.stderr, flush=True)
    log = work / "fuzz.log"
    with open(log, "w") as f:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            f.write(line)
            # progress: libFuzzer's pulse and new-coverage lines, one in a while
            if not quiet and (re.match(r"#\d+\s+(pulse|DONE)", line) or "ERROR" in line
                              or "SUMMARY" in line):
                sys.stderr.write(line)
        status = proc.wait()
    text = log.read_text()
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", text)
    executions = int(m.group(1)) if m else 0
    verdict = "no crash, no leak, no sanitizer report" if status == 0 else f"FAILED (see {log})"
    if not quiet:
        print(f"zlab fuzz: {target}: {executions} executions; {verdict}")
    return status, executions
