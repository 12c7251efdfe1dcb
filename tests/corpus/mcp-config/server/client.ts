import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const client = new Client({ name: "crm-cli", version: "0.1.0" });
const transport = new StreamableHTTPClientTransport(new URL(process.env.CRM_MCP_URL!)); // ok: mcp-server-missing-origin-check
await client.connect(transport);
