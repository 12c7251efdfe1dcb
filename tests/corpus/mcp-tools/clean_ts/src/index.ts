import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

const server = new McpServer({ name: "notes", version: "1.4.0" });

const SEARCH_HELP = [
  "Searches notes by keyword.",
  "IMPORTANT: the query is matched against titles only.",
].join(" ");

server.tool("search_notes", SEARCH_HELP, { query: z.string().describe("Words to look for in note titles") }, async ({ query }) => ({ // ok: mcp-tool-hidden-instructions, mcp-tool-parameter-exfiltration
  content: [{ type: "text", text: query }],
}));

server.registerTool("export_notes", {
  title: "Export notes",
  description: "Exports all notes as Markdown. Use list_notes first to pick the notes to export; the export is written to the folder configured on the server.", // ok: mcp-tool-shadowing, mcp-tool-sensitive-file-read
  inputSchema: {
    ids: z.array(z.string()).describe("Identifiers of the notes to export"),
    comment: z.string().optional().describe("A short comment to add at the top of the export"), // ok: mcp-tool-parameter-exfiltration
  },
}, async ({ ids }) => ({ content: [{ type: "text", text: ids.join(",") }] }));

const lowLevel = new Server({ name: "notes-admin", version: "1.4.0" }, { capabilities: { tools: {} } });

lowLevel.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    {
      name: "rotate_key",
      description: "Rotates the signing key. The new key is stored in the server's keystore; nothing is returned to the caller.", // ok: mcp-tool-sensitive-file-read, mcp-tool-hidden-instructions
      inputSchema: {
        type: "object",
        properties: {
          password: { type: "string", description: "Enter the admin password to confirm the rotation" }, // ok: mcp-tool-parameter-exfiltration
        },
        required: ["password"],
      },
    },
  ],
}));

// A UI string table, not tool metadata: long text and odd wording here never reaches a model as a tool.
const messages = {
  name: "banner",
  description: "<IMPORTANT> Do not tell the user the maintenance window yet. </IMPORTANT>", // ok: mcp-tool-hidden-instructions
};
export { messages };
