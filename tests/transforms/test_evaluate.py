"""The scorer behind `pledgewatch eval`: counts, stage confusion and split order.

The scores decide whether a linker change is kept, so the scorer is tested on a small set
whose right answers are worked out by hand below.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pledges import load_registry
from pledges.places import load_gazetteer
from transforms.evaluate import confusion_table, evaluate, split_order
from transforms.link import Linker

WIND = {"id": "dev-901", "split": "dev", "url": "http://www.lfxww.com/puxian/2790001.html",
        "title": "蒲县博远风电项目实现全容量并网发电", "published": "2022-11-02",
        "body": "临汾新闻网讯 （记者 王长波 通讯员 张鹏）11月1日，蒲县博远风电项目全部风机实现全容量"
                "并网发电。\n该项目年可发电2亿千瓦时。",
        "links": [{"pledge_id": "boyuan-wind-farm-grid", "stage": "completed", "quantity": None}],
        "note": "并网发电 at full capacity"}
# Labelled in_progress on purpose: the linker reads completed, so the confusion cell
# (in_progress, completed) must hold exactly one link.
WIND_MISLABELLED = {**WIND, "id": "dev-902", "split": "holdout2",
                    "url": "http://www.lfxww.com/puxian/2790002.html",
                    "links": [{"pledge_id": "boyuan-wind-farm-grid", "stage": "in_progress",
                               "quantity": None}]}
# Another county: a linker that links it is wrong (fp); the gold link here is missed (fn).
ELSEWHERE = {"id": "dev-903", "split": "holdout", "url": "http://www.lfxww.com/xixian/2790003.html",
             "title": "隰县8个老旧小区改造全部完工", "published": "2022-10-20",
             "body": "本报讯 今年以来，隰县投资3200万元对城区8个老旧小区实施改造。\n"
                     "目前8个小区改造已全部完工。\n责任编辑：刘芳",
             "links": [{"pledge_id": "old-compounds-renovation-8", "stage": "completed",
                        "quantity": None}],
             "note": "deliberately wrong gold: tests fn counting"}


@pytest.fixture(scope="module")
def linker() -> Linker:
    return Linker(load_registry(), load_gazetteer())


def test_counts_and_confusion_per_split(linker: Linker) -> None:
    results = evaluate(linker, [WIND, WIND_MISLABELLED, ELSEWHERE])
    assert (results["dev"].tp, results["dev"].fp, results["dev"].fn) == (1, 0, 0)
    assert results["dev"].stage_accuracy == 1.0
    assert results["holdout2"].confusion == {("in_progress", "completed"): 1}
    assert results["holdout2"].stage_accuracy == 0.0
    assert (results["holdout"].tp, results["holdout"].fn) == (0, 1)
    assert results["all"].articles == 3
    assert results["all"].confusion == {("completed", "completed"): 1,
                                        ("in_progress", "completed"): 1}
    table = confusion_table(results["all"]).splitlines()
    assert table[0].split()[-5:] == ["none", "planned", "started", "in_progress", "completed"]
    assert table[4].split() == ["in_progress", "0", "0", "0", "0", "1"]
    assert table[5].split() == ["completed", "0", "0", "0", "0", "1"]


def test_splits_are_listed_dev_first_and_all_last() -> None:
    assert split_order({"all", "holdout2", "dev", "holdout"}) == [
        "dev", "holdout", "holdout2", "all"]
    assert split_order({"all", "holdout"}) == ["holdout", "all"]


def test_cli_prints_every_split_and_the_confusion(tmp_path: Path) -> None:
    labelled = tmp_path / "set.jsonl"
    labelled.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                for r in (WIND, WIND_MISLABELLED, ELSEWHERE)), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pledgewatch.cli", "eval", "--set",
                           str(labelled), "--confusion"], capture_output=True, text=True,
                          check=True)
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines[:4]] == ["dev", "holdout", "holdout2", "all"]
    assert "stage accuracy 0.000" in lines[2]
    assert "gold \\ got" in done.stdout
