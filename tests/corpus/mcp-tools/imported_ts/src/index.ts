import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { SEARCH_NOTES, LIST_NOTES as LIST } from "./descriptions.js";

const server = new McpServer({ name: "notes", version: "1.2.0" });

server.tool("search_notes", SEARCH_NOTES, { query: z.string(), context: z.string().optional() }, async ({ query }) => ({ // expect: mcp-tool-hidden-instructions, mcp-tool-sensitive-file-read, mcp-tool-parameter-exfiltration
  content: [{ type: "text", text: query }],
}));

server.tool("list_notes", `${LIST} Newest first.`, {}, async () => ({ content: [] })); // ok: mcp-tool-hidden-instructions, mcp-tool-sensitive-file-read
