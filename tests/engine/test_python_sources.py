"""Where outside data enters: request fields of the web frameworks, low-level tool arguments, secrets."""
from __future__ import annotations

import ast

import pytest

from sentinel_hooks.engine.python_sources import credential_path, is_request_source, is_secret_source


def expr(text: str) -> ast.expr:
    return ast.parse(text).body[0].value  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", [
    "request.args['q']", "request.form.get('q')", "request.get_json()", "request.query_params['q']",
    "request.path_params['id']", "request.GET['q']", "request.POST.get('q')", "request.FILES['f']",
    "request.COOKIES['c']", "request.META['HTTP_X']", "self.request.GET.get('q')", "arguments['url']",
    "arguments.get('url')", "req.match_info['name']"])
def test_request_fields_are_sources(text: str):
    assert is_request_source(expr(text))


@pytest.mark.parametrize("text", ["request.method", "self.request", "settings.GET", "arguments", "args['q']"])
def test_other_attributes_are_not(text: str):
    assert not is_request_source(expr(text))


def test_low_level_arguments_can_be_left_out_for_user_typed_prompts():
    assert not is_request_source(expr("arguments['url']"), low_level_arguments=False)
    assert is_request_source(expr("request.args['url']"), low_level_arguments=False)


@pytest.mark.parametrize("text, secret", [
    ("os.environ['TOKEN']", True), ("os.environ.get('TOKEN')", True), ("os.getenv('TOKEN')", True),
    ("dict(os.environ)", True), ("os.environ.copy()", True), ("keyring.get_password('svc', 'me')", True),
    ("open(os.path.expanduser('~/.ssh/id_rsa')).read()", False),  # the read() of the opened file
    ("open(os.path.expanduser('~/.ssh/id_rsa'))", True), ("Path('~/.aws/credentials').read_text()", True),
    ("open('.env')", True), ("open('config.yaml')", False), ("os.path.join('a', 'b')", False),
    ("Path('notes.txt').read_text()", False)])
def test_secret_sources(text: str, secret: bool):
    assert is_secret_source(expr(text), {}) is secret


def test_credential_paths():
    assert credential_path(expr("Path.home() / '.kube' / 'config'"))
    assert credential_path(expr("'/home/me/.git-credentials'"))
    assert not credential_path(expr("'/srv/app/settings.json'"))
