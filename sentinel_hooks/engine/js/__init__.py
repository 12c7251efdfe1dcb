"""JavaScript/TypeScript analysis on a tree-sitter syntax tree: parsing (``parse``), the text gate that
spares files which cannot hold a flow (``gate``), the source/sink/sanitiser tables (``vocabulary``)
and the intra-file, inter-procedural taint analysis (``taint``).

tree-sitter and its grammars are imported by ``parse`` on first use only, so a hook run that
analyses no JS/TS file never loads them.
"""
