"""The README's Python examples run, so they cannot drift from the code."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_blocks_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "the README should show the Python API"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})
    assert "contracts cost" in capsys.readouterr().out


def test_readme_opens_with_the_two_setup_commands():
    head = README.read_text(encoding="utf-8").split("##")[0]
    assert "make demo" in head and "make test" in head
