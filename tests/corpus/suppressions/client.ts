// A client whose comments carry suppression markers.
export const timeoutMs = 30_000; // mcp-sentinel: ignore[]  expect: malformed-suppression
export const retries = 3; // mcp-sentinel: ignore[js-eval-dynamic]  ok: malformed-suppression
