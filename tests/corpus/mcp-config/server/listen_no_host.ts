import express from "express";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

const port = Number(process.env.PORT ?? 8080);
const app = express();
app.use(express.json());
const server = new McpServer({ name: "tickets", version: "1.2.0" });

app.post("/mcp", async (req, res) => {
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableDnsRebindingProtection: true, allowedHosts: ["127.0.0.1"] });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});

const httpServer = app.listen(port); // expect: mcp-server-listen-all-interfaces
createServer(app).listen(port + 1, () => console.error("mirror up")); // expect: mcp-server-listen-all-interfaces
app.listen(port + 2, "127.0.0.1", () => console.error("loopback")); // ok: mcp-server-listen-all-interfaces
app.listen(port + 3, HOST); // ok: mcp-server-listen-all-interfaces
