"""XSS of returned HTML, open redirects and XXE."""
from __future__ import annotations

from python_detector_kit import lines

FLASK = """
from flask import Flask, request, redirect, make_response
from html import escape
from urllib.parse import urlsplit
app = Flask(__name__)
"""


def test_html_built_from_request_input_and_returned():
    source = FLASK + """
@app.route("/a")
def a():
    return f"<b>{request.args['q']}</b>"

@app.route("/b/<name>")
def b(name):
    return make_response("<i>" + name + "</i>")

@app.route("/c")
def c():
    return f"<b>{escape(request.args['q'])}</b>"

@app.route("/d")
def d():
    return f"plain {request.args['q']}"
"""
    assert sorted(lines("python-xss-response", source)) == [9, 13]


def test_fastapi_plain_return_is_json_but_html_response_counts():
    source = """
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
app = FastAPI()

@app.get("/a")
def a(q: str):
    return f"<b>{q}</b>"

@app.get("/b")
def b(q: str):
    return HTMLResponse(f"<b>{q}</b>")
"""
    assert lines("python-xss-response", source) == [12]


def test_open_redirects_without_host_checks():
    source = FLASK + """
@app.route("/a")
def a():
    return redirect(request.args["next"])

@app.route("/b")
def b():
    nxt = request.args.get("next", "/")
    if urlsplit(nxt).netloc:
        nxt = "/"
    return redirect(nxt)

@app.route("/c")
def c():
    return redirect(f"/items/{request.args['id']}")
"""
    assert lines("python-open-redirect", source) == [9]


def test_xxe_parsers():
    source = """
import xml.sax
from lxml import etree
P = etree.XMLParser(resolve_entities=True)
Q = etree.XMLParser(no_network=False)
R = etree.XMLParser(resolve_entities=False)
def f(reader):
    reader.setFeature(xml.sax.handler.feature_external_ges, True)
    reader.setFeature(xml.sax.handler.feature_external_ges, False)
"""
    assert lines("python-xxe", source) == [4, 5, 8]


def test_xxe_default_lxml_parser_on_request_input():
    source = FLASK + """
from lxml import etree
@app.route("/x", methods=["POST"])
def x():
    a = etree.fromstring(request.data)
    b = etree.fromstring(request.data, etree.XMLParser(resolve_entities=False))
    return ""
"""
    assert lines("python-xxe", source) == [10]
