const http = require("node:http");
const { Server } = require("@modelcontextprotocol/sdk/server/index.js");
const { SSEServerTransport } = require("@modelcontextprotocol/sdk/server/sse.js");

const server = new Server({ name: "wiki", version: "1.0.0" }, { capabilities: { tools: {} } });
let transport;

http
  .createServer(async (req, res) => {
    res.setHeader("Access-Control-Allow-Origin", "*"); // expect: mcp-server-cors-wildcard
    if (req.method === "GET" && req.url === "/sse") {
      transport = new SSEServerTransport("/messages", res); // expect: mcp-server-missing-origin-check
      await server.connect(transport);
    } else if (req.method === "POST" && req.url.startsWith("/messages")) {
      await transport.handlePostMessage(req, res);
    }
  })
  .listen({ port: 3333, host: "0.0.0.0" }); // expect: mcp-server-bind-all-interfaces
