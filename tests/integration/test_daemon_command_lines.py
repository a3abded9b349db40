"""Bad command lines: a clear message and a non-zero exit, nothing started."""

import subprocess
import sys

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


def _run(module, *arguments):
    return subprocess.run(
        [sys.executable, "-m", module, *arguments],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("module", "arguments", "message"),
    [
        ("shard.main", ["--node=a", "--data-dir=/tmp/x"], "--shard"),
        ("shard.main", ["--shard=one", "--node=a", "--data-dir=/x"], "--shard"),
        ("shard.main", ["--shard=s1", "--node=A B", "--data-dir=/x"], "--node"),
        ("shard.main", ["--shard=s1", "--node=a", "--data-dir=/x"], "--secret-file"),
        (
            "shard.main",
            ["--shard=s1", "--node=a", "--upload-limit=-5"],
            "--upload-limit",
        ),
        ("router.main", ["--http-port=70000"], "out of range"),
        ("router.main", ["--public-url=nohost"], "--public-url"),
        ("router.main", ["--secret-file=/nonexistent/secret"], "secret"),
        ("router.main", ["--rate-limit=-1"], "--rate-limit"),
        ("router.main", ["--rate-limit=many"], "--rate-limit"),
        ("router.main", ["--rate-window=0"], "--rate-window"),
        ("router.main", ["--login-window=nan"], "--login-window"),
        ("router.main", ["--failover-wait=inf"], "--failover-wait"),
        ("notestore.cluster", ["--http-port=-1"], "out of range"),
    ],
)
def test_bad_command_line_exits_with_a_message(module, arguments, message, tmp_path):
    done = _run(module, *arguments)

    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_shard_refuses_a_short_secret(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("short\n")

    done = _run(
        "shard.main",
        "--shard=s1",
        "--node=a",
        f"--data-dir={tmp_path / 'data'}",
        f"--secret-file={secret}",
    )

    assert done.returncode == 2
    assert "shorter than 16 bytes" in done.stderr
