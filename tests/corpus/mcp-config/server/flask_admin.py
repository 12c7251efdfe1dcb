"""Small admin UI next to the MCP server."""
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app)  # expect: mcp-server-cors-wildcard


@app.get("/health")
def health():
    return {"ok": True}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=5001, debug=True)  # expect: mcp-server-debug-mode
