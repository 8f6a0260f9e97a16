"""`chaton serve`: links on the address served unless base_url is set, a warning when a
base_url naming this machine names another port."""

import pytest
from click.testing import CliRunner

from chaton.cli import main


@pytest.fixture
def served(tmp_path, content_dir, monkeypatch):
    """Run `chaton serve` with waitress replaced: returns the app it would serve and the output."""
    import waitress

    monkeypatch.setenv("CHATON_CONTENT_DIR", str(content_dir))
    monkeypatch.setenv("CHATON_WORKER", "false")
    monkeypatch.delenv("CHATON_BASE_URL", raising=False)
    instance = tmp_path / "instance"
    runner = CliRunner()
    assert runner.invoke(main, ["--instance", str(instance), "init"]).exit_code == 0

    def serve(*args, config=None):
        if config is not None:
            (instance / "config.toml").write_text(
                (instance / "config.toml").read_text() + config)
        apps = []
        monkeypatch.setattr(waitress, "serve", lambda app, **kwargs: apps.append(app))
        result = runner.invoke(main, ["--instance", str(instance), "serve", *args])
        assert result.exit_code == 0, result.output
        return apps[0], result.output

    return serve


def test_links_follow_the_port_served_when_base_url_is_not_set(served):
    app, output = served("--port", "8624")
    assert app.config["CHATON"]["base_url"] == "http://127.0.0.1:8624"
    assert "warning" not in output
    assert "links in mails and feeds: http://127.0.0.1:8624 (no base_url setting" in output
    app, _output = served("--host", "0.0.0.0", "--port", "8625")
    assert app.config["CHATON"]["base_url"] == "http://127.0.0.1:8625"
    app, _output = served()
    assert app.config["CHATON"]["base_url"] == "http://127.0.0.1:8000"


def test_a_base_url_on_this_machine_with_another_port_is_warned_of(served):
    app, output = served("--port", "8624", config='base_url = "http://127.0.0.1:8000"\n')
    assert app.config["CHATON"]["base_url"] == "http://127.0.0.1:8000"  # set: obeyed
    assert "warning: base_url http://127.0.0.1:8000 names port 8000" in output
    assert "listens on port 8624" in output
    _app, output = served("--port", "8000")
    assert "warning" not in output


def test_a_public_base_url_behind_a_proxy_is_not_warned_of(served):
    app, output = served("--port", "8000", config='base_url = "https://petitions.example.org"\n')
    assert app.config["CHATON"]["base_url"] == "https://petitions.example.org"
    assert "warning" not in output
