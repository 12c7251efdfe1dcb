import express from "express";
import cors from "cors";
import { randomUUID } from "node:crypto";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

const app = express();
app.use(express.json());
app.use(cors()); // expect: mcp-server-cors-wildcard

const server = new McpServer({ name: "crm", version: "0.4.0" });
const transports: Record<string, StreamableHTTPServerTransport> = {};

app.post("/mcp", async (req, res) => {
  const transport = new StreamableHTTPServerTransport({ // expect: mcp-server-missing-origin-check
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => {
      transports[id] = transport;
    },
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});

app.listen(Number(process.env.PORT ?? 3000), "0.0.0.0", () => { // expect: mcp-server-bind-all-interfaces
  console.log("crm MCP server ready");
});
