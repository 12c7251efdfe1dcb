import cors from "cors";
import { randomUUID } from "node:crypto";
import { createMcpExpressApp } from "@modelcontextprotocol/sdk/server/express.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

const app = createMcpExpressApp({ host: "127.0.0.1" });
app.use(cors({ origin: ["https://console.acme.dev"], exposedHeaders: ["Mcp-Session-Id"] })); // ok: mcp-server-cors-wildcard

app.post("/mcp", async (req, res) => {
  const transport = new StreamableHTTPServerTransport({ // ok: mcp-server-missing-origin-check
    sessionIdGenerator: () => randomUUID(),
    enableDnsRebindingProtection: true,
    allowedHosts: ["127.0.0.1:3000", "localhost:3000"],
  });
  await transport.handleRequest(req, res, req.body);
});

// app.listen(3000, "0.0.0.0") would expose it to the network; ok: mcp-server-bind-all-interfaces
app.listen(3000, "127.0.0.1"); // ok: mcp-server-bind-all-interfaces
