"""MCP tool metadata: find the tools a file declares, and what their descriptions tell the model.

``extract`` finds the tools by language (``python_tools``, ``js_tools`` for JavaScript, TypeScript and
JSON over the tokenizer of ``js_tokens`` and the value parser of ``js_values``, ``yaml_tools``) into the
``model``; ``signals`` reads each description for poisoning. The detectors built on them live in
``engine/detectors/tool_metadata.py``. Descriptions are the decoded string values the model reads;
positions are whole-file, 1-based, end column exclusive.
"""
