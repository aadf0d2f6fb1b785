"""Progress bars: unchanged on a terminal, a few lines in a log."""

import io
import pathlib

import pytest
import tqdm as tqdm_module

from nengo_lmu.utils import progress
from nengo_lmu.utils.progress import tqdm

ROOT = pathlib.Path(__file__).parents[1]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def run_bar(file, total=1000, **kwargs):
    with tqdm(total=total, desc="train", file=file, **kwargs) as bar:
        for i in range(total):
            bar.update(1)
            bar.set_postfix(loss=f"{i:.3f}")  # refreshes the bar on a terminal
    return file.getvalue()


@pytest.mark.parametrize("leave", [True, False])
def test_log_gets_a_line_per_few_percent(leave):
    text = run_bar(io.StringIO(), leave=leave)
    lines = text.splitlines()
    assert "\r" not in text and text.endswith("\n")
    # the start and one per 5 %; a bar left draws its last postfix on closing
    assert 1 + round(1 / progress.LOG_STEP) <= len(lines) <= 2 + round(1 / progress.LOG_STEP)
    assert "0/1000" in lines[0]
    assert "50/1000" in lines[1]
    assert "1000/1000" in lines[-1]  # the final count, also when the bar is not left


def test_log_gets_the_final_count_between_steps():
    lines = run_bar(io.StringIO(), total=1010, leave=False).splitlines()
    assert len(lines) == 21  # 0, 51, ..., 969 (steps of 51), then the close
    assert "969/1010" in lines[-2]
    assert "1010/1010" in lines[-1]


def test_log_bar_over_an_iterable():
    file = io.StringIO()
    assert list(tqdm(range(40), file=file, leave=False)) == list(range(40))
    lines = file.getvalue().splitlines()
    assert len(lines) == 21
    assert "40/40" in lines[-1]


def test_log_bar_of_unknown_length_draws_by_time():
    bar = tqdm(file=io.StringIO())
    assert bar.mininterval == progress.LOG_SECONDS
    bar.close()


def test_disabled_bar_writes_nothing():
    file = io.StringIO()
    run_bar(file, disable=True)
    assert file.getvalue() == ""


def test_terminal_bar_is_tqdms():
    file = Terminal()
    plain = tqdm_module.tqdm(total=10, file=file)
    ours = tqdm(total=10, file=file)
    for name in ("miniters", "mininterval", "maxinterval", "dynamic_miniters"):
        assert getattr(ours, name) == getattr(plain, name), name
    plain.close()
    ours.close()
    text = run_bar(Terminal(), total=50)
    assert text.count("\r") > 50  # redrawn in place at every postfix
    assert text.count("\n") == 1  # the line left at the end


def test_is_terminal():
    assert progress.is_terminal(Terminal())
    assert not progress.is_terminal(io.StringIO())
    assert not progress.is_terminal(object())
    closed = io.StringIO()
    closed.close()  # its isatty raises
    assert not progress.is_terminal(closed)


def test_only_the_progress_module_imports_tqdm():
    """Every bar of the project is the log-friendly one."""
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("nengo_lmu", "networks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != ROOT / "nengo_lmu" / "utils" / "progress.py"
        and any(
            line.strip().startswith(("from tqdm", "import tqdm"))
            for line in path.read_text().splitlines()
        )
    ]
    assert offenders == []


def test_stderr_sent_to_a_file_gets_lines(capsys):
    """The default file is stderr; captured (as in a log), it is not a terminal."""
    for _ in tqdm(range(100), desc="epochs", leave=False):
        pass
    err = capsys.readouterr().err
    assert "\r" not in err
    assert len(err.splitlines()) == 21
