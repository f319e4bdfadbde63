"""Every class of bad input exits 2 with a message naming the place and the value; no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from planner.cli import main
from planner.data.districts import load_districts
from planner.errors import DataError
from planner.paths import districts_dir

from .conftest import SCENARIOS
from .test_scenario_validation import _toy_doc

TOY = SCENARIOS / "toy.yaml"


def _check(path: Path, *args: str) -> str:
    """`planner check` of ``path``: must exit 2 without a traceback; returns its output."""
    res = CliRunner().invoke(main, ["check", str(path), *args])
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    return res.output


def _yaml(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _doc(tmp_path: Path, doc: dict, name: str = "s.yaml") -> Path:
    return _yaml(tmp_path, yaml.safe_dump(doc, allow_unicode=True), name)


@pytest.mark.parametrize(
    "text",
    [
        "name: !!int 12\n",
        "name: toy\nphases: [{year: !!timestamp 2015-01-01, target: 1}]\n",
        "name: !!binary aGVsbG8=\n",
        "name: !!python/object:os.system {}\n",
        "name: !custom x\n",
        "a: &x [1, 2]\nb: *x\n",
    ],
)
def test_yaml_tags_and_aliases_are_refused(tmp_path, text):
    out = _check(_yaml(tmp_path, f"extends: {TOY}\n" + text))
    assert "line " in out and ("tags" in out or "aliases" in out)


@pytest.mark.parametrize(
    ("where", "value", "expect"),
    [
        (("kinds", "conversion", "cost_mkrw"), float("inf"), "kinds.conversion.cost_mkrw"),
        (("kinds", "conversion", "cost_mkrw"), 1e308, "less than or equal to 100000000"),
        (("phases", 0, "budget_mkrw"), float("inf"), "phases[0].budget_mkrw"),
        (("solver", "time_limit_s"), float("inf"), "solver.time_limit_s"),
        (("solver", "time_limit_s"), 1e308, "less than or equal to 604800"),
        (("solver", "seed"), 10**20, "solver.seed"),
        (("pools", "welfare_team", 2015), -2, "pools.welfare_team[2015]"),
        (("travel", "speed_kmh"), float("nan"), "travel.speed_kmh"),
        (
            ("rules",),
            {"phase-target": {"soft": True, "penalty": float("inf")}},
            "rules.phase-target.penalty",
        ),
        (("sites", "opening_cost_mkrw"), {"30110": -5}, "sites.opening_cost_mkrw.30110"),
    ],
)
def test_non_finite_negative_and_absurd_numbers_name_the_key_and_bounds(
    tmp_path, where, value, expect
):
    doc = _toy_doc()
    node = doc
    for part in where[:-1]:
        node = node[part] if isinstance(part, int) else node.setdefault(part, {})
    node[where[-1]] = value
    out = _check(_doc(tmp_path, doc))
    assert expect in out


def test_extends_of_a_file_that_is_not_yaml_quotes_nothing_of_it(tmp_path):
    secret = tmp_path / "secrets.txt"
    secret.write_text("root:SECRET-HASH:19000:0:99999:7:::\n")
    out = _check(_yaml(tmp_path, f"extends: {secret}\nname: x\n"))
    assert "SECRET" not in out and ".yaml or .yml" in out
    out = _check(_yaml(tmp_path, "extends: /etc/shadow\nname: x\n"))
    assert ".yaml or .yml" in out and "root:" not in out


def test_many_unknown_keys_are_counted_not_all_quoted(tmp_path):
    lines = "\n".join(f"key_{n}_{'z' * 80}: 1" for n in range(100))
    base = _yaml(tmp_path, lines + "\n", "notes.yaml")
    out = _check(_yaml(tmp_path, f"extends: [{TOY}, {base.name}]\n"))
    assert "more problem(s)" in out
    assert out.count("unknown key") <= 20 and "z" * 80 not in out


def test_extends_resolves_relative_to_the_scenario_file(tmp_path, monkeypatch):
    sub = tmp_path / "sub"
    sub.mkdir()
    shutil.copy(SCENARIOS / "base.yaml", sub / "base.yaml")
    toy = yaml.safe_load(TOY.read_text())
    _doc(sub, toy, "toy.yaml")
    monkeypatch.chdir(tmp_path)  # elsewhere than the file
    res = CliRunner().invoke(main, ["check", str(sub / "toy.yaml")])
    assert res.exit_code == 0, res.output


def _od_scenario(tmp_path: Path, content: bytes | str | None, name: str = "od.csv") -> Path:
    od = tmp_path / name
    if content is None:
        od.mkdir()
    elif isinstance(content, bytes):
        od.write_bytes(content)
    else:
        od.write_text(content)
    doc = _toy_doc()
    doc["travel"]["od_matrix"] = name
    return _doc(tmp_path, doc)


@pytest.mark.parametrize(
    ("content", "name", "expect"),
    [
        (b"\xff\xfe\x00\x81" * 500, "od.csv", "not UTF-8"),
        ("origin,destination,minutes\n30110,30140,5\x00\n", "od.csv", "NUL bytes"),
        ("", "od.csv", "empty"),
        ("origin,destination,minutes\n30110,30140,5,9,9\n", "od.csv", "row 2 of OD matrix has 5"),
        ("origin,destination,minutes\n30110,30140\n", "od.csv", "row 2 of OD matrix has 2"),
        ("origin,destination,minutes\n30110,30140,inf\n", "od.csv", "finite number"),
        ("origin,destination,minutes\n30110,30140,1e9\n", "od.csv", "finite number"),
        ("origin,destination,minutes\n30110,30140,abc\n", "od.csv", "row 2"),
        (None, "od.csv", "folder"),
        ("origin,destination,minutes\n", "od.txt", ".csv file"),
    ],
)
def test_corrupt_od_matrices(tmp_path, content, name, expect):
    out = _check(_od_scenario(tmp_path, content, name))
    assert expect in out and name in out


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the project's tables to damage; PLANNER_DATA points at it."""
    root = tmp_path / "data"
    shutil.copytree(districts_dir().parent, root)
    monkeypatch.setenv("PLANNER_DATA", str(root))
    return root / "districts"


def test_a_truncated_figures_table_is_a_data_error(data_copy):
    f = data_copy / "figures.csv"
    text = f.read_text(encoding="utf-8")
    f.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(DataError, match=r"figures.csv: (row \d+|every year needs)"):
        load_districts(2015)
    out = _check(TOY)
    assert "figures.csv" in out


def test_text_in_a_number_names_row_and_column(data_copy):
    f = data_copy / "figures.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    col = head.index("pop_total")
    row = lines[5].split(",")
    row[col] = "lots"
    lines[5] = ",".join(row)
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"figures.csv: row 6, column 'pop_total': 'lots'"):
        load_districts(2015)


@pytest.mark.parametrize("name", ["units.csv", "employment_centers.csv", "ec_jurisdiction.csv"])
def test_binary_or_missing_tables_are_data_errors(data_copy, name):
    (data_copy / name).write_bytes(b"\x00\xff\xfe" * 100)
    with pytest.raises(DataError, match=name):
        load_districts(2015)
    (data_copy / name).unlink()
    with pytest.raises(DataError, match=f"{name}: table not found"):
        load_districts(2015)
