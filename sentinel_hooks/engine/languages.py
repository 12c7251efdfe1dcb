"""Map file names to the language names rules use in ``languages:``."""
from __future__ import annotations

import posixpath

_BY_EXTENSION = {
    ".py": "python", ".pyi": "python", ".pyw": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "typescript",
    ".json": "json", ".jsonc": "json", ".json5": "json",
    ".yaml": "yaml", ".yml": "yaml",
    ".toml": "toml",
    ".sh": "shell", ".bash": "shell", ".zsh": "shell", ".ksh": "shell",
    ".ps1": "powershell",
    ".md": "markdown", ".mdx": "markdown",
    ".go": "go", ".rs": "rust", ".java": "java", ".kt": "kotlin", ".rb": "ruby", ".php": "php",
    ".cs": "csharp", ".swift": "swift",
    ".html": "html", ".htm": "html", ".vue": "html", ".svelte": "html",
    ".env": "dotenv", ".ini": "ini", ".cfg": "ini", ".conf": "ini", ".properties": "ini",
    ".txt": "text", ".xml": "xml", ".tf": "terraform",
}
_BY_NAME = {
    "dockerfile": "dockerfile", "containerfile": "dockerfile", "makefile": "makefile",
    ".env": "dotenv", "requirements.txt": "requirements", "pipfile": "toml",
    "package.json": "json", ".npmrc": "ini", ".pypirc": "ini", "jenkinsfile": "groovy",
}


def language_of(path: str) -> str | None:
    name = posixpath.basename(path).lower()
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name.startswith(".env."):
        return "dotenv"
    if name.startswith("requirements") and name.endswith((".txt", ".in")):
        return "requirements"
    if name.startswith("dockerfile."):
        return "dockerfile"
    _, ext = posixpath.splitext(name)
    return _BY_EXTENSION.get(ext)


def language_aliases(lang: str) -> set[str]:
    """A file's language and the broader names a rule may use for it."""
    out = {lang}
    if lang in ("javascript", "typescript"):
        out.add("js")
    if lang == "requirements":
        out.add("text")
    return out
