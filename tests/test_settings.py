from __future__ import annotations

from pathlib import Path

import pytest

from pledgewatch.settings import SettingsError, load_settings, mask_secret, parse_rate


def test_default_is_sqlite_under_data_dir(tmp_path: Path) -> None:
    settings = load_settings({"PLEDGEWATCH_DATA_DIR": str(tmp_path)})
    assert settings.warehouse_url == f"sqlite:///{tmp_path.resolve() / 'pledgewatch.sqlite'}"


def test_db_url_wins() -> None:
    url = "postgresql+psycopg://pw:secret@127.0.0.1:5432/pw"
    assert load_settings({"PLEDGEWATCH_DB_URL": url}).warehouse_url == url


@pytest.mark.parametrize(("name", "value"), [("DOWNLOAD_DELAY", "fast"),
                                             ("SITE_STALE_DAYS", "1.5"),
                                             ("DB_URL", "not a url"),
                                             ("DOWNLOAD_DELAY", "-1"),
                                             ("SLACK_RATE", "1 per second"),
                                             ("WECOM_RATE", "0/60"),
                                             ("DINGTALK_RATE", "20/60,"),
                                             ("ALERT_MAX_WAIT", "nan"),
                                             ("ROBOT_DIGEST_SIZE", "-2")])
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"PLEDGEWATCH_{name}"):
        load_settings({f"PLEDGEWATCH_{name}": value})


def test_secrets_are_masked() -> None:
    settings = load_settings({
        "PLEDGEWATCH_DB_URL": "postgresql+psycopg://pw:hunter2@127.0.0.1/pw",
        "PLEDGEWATCH_DINGTALK_SECRET": "SECabcdef",
        "PLEDGEWATCH_WEBHOOK_URL": "http://127.0.0.1:9/hook/t0ken?access_token=zzz",
    })
    shown = "\n".join(f"{k}={v}" for k, v in settings.masked().items())
    for secret in ("hunter2", "SECabcdef", "t0ken", "zzz"):
        assert secret not in shown
    assert "127.0.0.1" in shown
    assert mask_secret("sqlite:////tmp/x.sqlite") == "sqlite:////tmp/x.sqlite"


def test_rates_are_count_per_seconds() -> None:
    assert parse_rate("20/60") == ((20, 60.0),)
    assert parse_rate(" 100/60, 5/1 ") == ((100, 60.0), (5, 1.0))
    assert parse_rate("off") == parse_rate("None") == ()
    settings = load_settings({"PLEDGEWATCH_FEISHU_RATE": "50/60", "PLEDGEWATCH_ALERT_MAX_WAIT": "0"})
    assert settings.feishu_rate == "50/60" and settings.alert_max_wait == 0
    assert settings.dingtalk_rate == "" and settings.robot_digest_size == 10
