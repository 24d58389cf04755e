"""A repeatable speed figure: the CPU instructions the NLP stage spends per text, counted by valgrind's callgrind.

Seconds depend on what else the machine does (on shared two-core machines, ±30 % within an hour); instruction counts
do not: the same code on the same texts gives the same count, run after run, so two versions can be compared one
after the other. `python -m pipeline.bench --instructions N` runs this module under callgrind twice (texts met for
the first time, then texts already seen), with instrumentation switched on only around the measured pass;
`--model DIR` counts the NLP stage with that trained model (`nlp.model`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

COLLECTED = re.compile(r"Collected\s*:\s*([0-9]+)")


def valgrind_missing() -> str | None:
    """What to do when callgrind cannot run here, or None when it can."""
    missing = [tool for tool in ("valgrind", "callgrind_control") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not found: install valgrind (Debian/Ubuntu: apt-get install valgrind)"
    return None


def parse_collected(stderr: str) -> int:
    """The instruction count in callgrind's closing report."""
    found = COLLECTED.findall(stderr)
    if not found:
        raise RuntimeError(f"callgrind printed no instruction count; its output ended with: {stderr[-500:]}")
    return int(found[-1])


def _toggle(state: str) -> None:
    subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], capture_output=True, check=False)


def measure_in_this_process(airline: Path | None, count: int, seen: bool, model: Path | None = None) -> None:
    """Runs under callgrind: analyses `count` texts (language hint "en", batches of 1,000) with instrumentation on;
    when `seen`, after one uncounted pass over the same texts. With `model`, the analyzer uses that trained model."""
    from nlp.analyzer import Analyzer
    from pipeline.bench import sample_texts
    from pipeline.config import packaged_config

    texts = sample_texts(airline)[:count]
    config = packaged_config("demo")
    nlp = config.nlp.model_copy(update={"model": str(model)}) if model else config.nlp
    analyzer = Analyzer(nlp, config.topics, config.brands)
    analyzer.analyze_many([("Warming up the pipelines: the flight was late.", "en")])

    def one_pass() -> None:
        for i in range(0, len(texts), 1000):
            analyzer.analyze_many([(t, "en") for t in texts[i : i + 1000]])

    if seen:
        one_pass()
    _toggle("on")
    one_pass()
    _toggle("off")


def count_instructions(airline: Path | None, count: int, seen: bool, model: Path | None = None) -> int:
    """Instructions for one counted pass over `count` texts, in a child process under callgrind."""
    with tempfile.TemporaryDirectory() as folder:
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                   f"--callgrind-out-file={Path(folder) / 'callgrind.out'}",
                   sys.executable, "-m", "pipeline.instruction_count", str(airline or ""), str(count),
                   "seen" if seen else "first", str(model or "")]
        env = {**os.environ, "PYTHONHASHSEED": "0"}  # set and dict order, and so the count, do not vary by run
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the counted run failed ({done.returncode}): {done.stderr[-1000:]}")
    return parse_collected(done.stderr)


def bench_instructions(airline: Path | None, count: int, model: Path | None = None) -> None:
    problem = valgrind_missing()
    if problem:
        print(f"instruction count skipped: {problem}")
        return
    if model is not None:
        from nlp.model import load_model

        load_model(model)  # a missing or outdated model fails here, with what to do, not under valgrind
    stage = f"NLP stage with nlp.model {model}" if model else "NLP stage"
    for seen in (False, True):
        total = count_instructions(airline, count, seen, model)
        label = "once seen" if seen else "on first sight"
        print(f"{stage} and a language hint, {count:,} texts {label}: {total:,} instructions = "
              f"{total / count:,.0f} per text (callgrind: the same count on every run)")


if __name__ == "__main__":  # the child, under callgrind
    measure_in_this_process(Path(sys.argv[1]) if sys.argv[1] else None, int(sys.argv[2]), sys.argv[3] == "seen",
                            Path(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] else None)
