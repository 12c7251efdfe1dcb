"""The web portal of an MCP server: a few Flask routes beside the tools."""
import xml.sax
from html import escape
from urllib.parse import urlsplit

from flask import Flask, make_response, redirect, request, url_for
from lxml import etree

app = Flask(__name__)
ALLOWED_HOSTS = {"portal.example.com"}


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    return f"<h1>Hello {name}</h1>"  # expect: python-xss-response


@app.route("/search")
def search():
    term = request.args.get("q", "")
    body = "<p>Results for " + term + "</p>"
    return make_response(body, 200)  # expect: python-xss-response


@app.route("/greet")
def greet():
    name = escape(request.args.get("name", ""))
    return f"<h1>Hello {name}</h1>"  # ok: python-xss-response


@app.route("/plain")
def plain():
    name = request.args.get("name", "")
    return f"Hello {name}"  # ok: python-xss-response


@app.route("/login")
def login():
    return redirect(request.args.get("next", "/"))  # expect: python-open-redirect


@app.route("/logout")
def logout():
    target = request.args["return_to"]
    return redirect(target)  # expect: python-open-redirect


@app.route("/continue")
def continue_to():
    target = request.args.get("next", "/")
    if urlsplit(target).netloc not in ALLOWED_HOSTS:
        target = "/"
    return redirect(target)  # ok: python-open-redirect


@app.route("/home")
def home():
    return redirect(url_for("hello"))  # ok: python-open-redirect


@app.route("/import", methods=["POST"])
def import_feed():
    parser = etree.XMLParser(resolve_entities=True)  # expect: python-xxe
    tree = etree.fromstring(request.data, parser)
    return str(len(tree))


@app.route("/import-default", methods=["POST"])
def import_default():
    tree = etree.fromstring(request.data)  # expect: python-xxe
    return str(len(tree))


@app.route("/import-safe", methods=["POST"])
def import_safe():
    parser = etree.XMLParser(resolve_entities=False, no_network=True)  # ok: python-xxe
    tree = etree.fromstring(request.data, parser)  # ok: python-xxe
    return str(len(tree))


def sax_reader():
    reader = xml.sax.make_parser()
    reader.setFeature(xml.sax.handler.feature_external_ges, True)  # expect: python-xxe
    reader.setFeature(xml.sax.handler.feature_namespaces, True)  # ok: python-xxe
    return reader
