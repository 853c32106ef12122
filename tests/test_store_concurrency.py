"""No lost annotations: concurrent writers, and a writer killed mid-write."""

import multiprocessing
import os
import signal
import subprocess
import sys
import time

from classify.annotation.labeled import Annotation, append, read_events

PER_PROCESS = 100
ANNOTATOR = "shared"  # every writer appends to the same file, so the lock is what keeps them apart


def write_through_cli(store: str, process: int) -> None:
    from classify.cli import main

    for number in range(PER_PROCESS):
        main(["annotate", f"cli{process}-{number:010x}", "--labels", "labs;finance", "--annotator", ANNOTATOR,
              "--text", f"第{process}号进程的第{number}句", "--labeled", store], standalone_mode=False)


def write_through_function(store: str, process: int) -> None:
    for number in range(PER_PROCESS):
        append(store, [Annotation(f"fn{process}-{number:010x}", f"第{process}号进程的第{number}句", ("talent",),
                                  ANNOTATOR)], ["labs", "finance", "talent"])


def test_eight_processes_appending_at_once_lose_nothing(tmp_path):
    """8 × 100 decisions written at once, half through the CLI command and half through the app's
    function, are all there afterwards."""
    store = str(tmp_path / "labeled")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=write_through_cli if p < 4 else write_through_function, args=(store, p))
               for p in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=900)
        assert worker.exitcode == 0
    events = read_events(tmp_path / "labeled")
    expected = {f"cli{p}-{n:010x}" for p in range(4) for n in range(PER_PROCESS)} | \
               {f"fn{p}-{n:010x}" for p in range(4, 8) for n in range(PER_PROCESS)}
    assert len(events) == 8 * PER_PROCESS
    assert {e.unit_id for e in events} == expected


WRITER = """
import sys
from classify.annotation.labeled import Annotation, append
store, size = sys.argv[1], int(sys.argv[2])
number = 0
while True:
    batch = [Annotation(f"u-{number + k:08d}", "长" * size, ("labs",), "killed") for k in range(20)]
    append(store, batch)
    number += 20
    print(number, flush=True)
"""


def test_a_writer_killed_mid_write_leaves_a_store_that_loads(tmp_path, caplog):
    """SIGKILL during appends: every complete record before the kill is kept, in order; a torn last
    record is reported and skipped; later writes land whole."""
    store = tmp_path / "labeled"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(store), "200000"], stdout=subprocess.PIPE,
                              text=True)
    confirmed = 0
    while confirmed < 200:
        confirmed = int(writer.stdout.readline())
    time.sleep(0.05)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    raw = (store / "killed.jsonl").read_bytes()
    events = read_events(store)
    numbers = sorted(int(e.unit_id.split("-")[1]) for e in events)
    assert numbers == list(range(len(numbers))), "no complete record before the kill is lost"
    assert len(numbers) >= confirmed, "every batch the writer reported done is on disk"
    torn = not raw.endswith(b"\n")
    if torn:
        assert "skipped unreadable record" in caplog.text
    append(store, [Annotation("after-kill", "新句子", ("labs",), "killed")])
    assert "after-kill" in {e.unit_id for e in read_events(store)}
    assert len(read_events(store)) == len(numbers) + 1
