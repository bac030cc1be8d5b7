import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from citybase.cli import app
from citybase.core.auth.models import ApiToken, User
from citybase.core.settings import get_settings

runner = CliRunner()


@pytest.fixture
def cli_env(db, data_dir, monkeypatch):
    """Point the CLI at the test database and data directory."""
    monkeypatch.setenv("CITYBASE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CITYBASE_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def test_help_is_chinese():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "嘉定区城市数字底座" in result.output
    assert "用法" in result.output
    assert "通过 HTTP 提供平台服务" in result.output


def test_users_add_reads_password_from_stdin(cli_env):
    result = runner.invoke(app, ["users", "add", "--username", "admin", "--name", "管理员", "--role", "admin",
                                 "--password-stdin"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert "已新增用户 admin" in result.output
    with cli_env.session() as session:
        user = session.scalar(select(User).where(User.username == "admin"))
        assert user.role == "admin"


def test_users_add_bad_role_changes_nothing(cli_env):
    result = runner.invoke(app, ["users", "add", "--username", "admin", "--name", "x", "--role", "boss",
                                 "--password-stdin"], input="a-long-password\n")
    assert result.exit_code == 1
    assert "role" in result.output
    assert "boss" in result.output
    with cli_env.session() as session:
        assert session.scalar(select(User)) is None


def test_tokens_create_and_revoke(cli_env):
    runner.invoke(app, ["users", "add", "--username", "gateway", "--name", "泵闸网关", "--role", "viewer", "--service"])
    created = runner.invoke(app, ["tokens", "create", "--user", "gateway", "--name", "泵闸", "--write"])
    assert created.exit_code == 0, created.output
    assert "cb_" in created.output
    with cli_env.session() as session:
        token = session.scalar(select(ApiToken))
        assert token.can_write is True
        token_id = token.id
    revoked = runner.invoke(app, ["tokens", "revoke", str(token_id)])
    assert revoked.exit_code == 0
    again = runner.invoke(app, ["tokens", "revoke", str(token_id)])
    assert again.exit_code == 1
    assert "已被吊销" in again.output


def test_tokens_create_unknown_user(cli_env):
    result = runner.invoke(app, ["tokens", "create", "--user", "nobody", "--name", "x"])
    assert result.exit_code == 1
    assert "nobody" in result.output


def test_units_list_shows_towns(cli_env):
    result = runner.invoke(app, ["units", "list"])
    assert result.exit_code == 0
    assert "310114102" in result.output
    assert "南翔镇" in result.output


def test_worker_logs_start_and_stop(db, data_dir):
    """`citybase worker` is a service: it logs its start, and a SIGTERM stops it cleanly with a log line."""
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "CITYBASE_DATA_DIR": str(data_dir), "CITYBASE_DATABASE_URL": db.url, "CITYBASE_LOG_LEVEL": "INFO"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from citybase.cli import app; app()", "worker", "--tick", "0.2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    def jobs_recorded() -> int:
        with db.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT count(*) FROM worker_jobs").scalar()

    try:
        # The worker has started once it has recorded a job run.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not jobs_recorded():
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        _stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 0, stderr
    assert "worker started with jobs" in stderr
    assert "worker stopped" in stderr


@pytest.mark.parametrize(("args", "expected"), [
    (["plan", "import"], "错误：缺少参数 file。"),
    (["plan", "import", "/no/such/list.txt"], "错误：'file' 的值无效：文件 /no/such/list.txt 不存在，请检查路径。"),
    (["plan", "bulletin", "--period"], "错误：选项 --period 后须跟一个值。"),
    (["plan", "ledger"], "错误：缺少选项 '--output' / '-o'，请补上。"),
    (["worker", "--tick", "abc"], "错误：'--tick' 的值无效：请填写数字。"),
    (["plan", "ledger", "--bogus"], "错误：没有选项 --bogus；可用选项见 --help。"),
])
def test_usage_errors_in_chinese(args, expected):
    result = runner.invoke(app, args)

    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == expected
