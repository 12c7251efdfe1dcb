import express from "express";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";

const app = express();
const server = new McpServer({ name: "billing", version: "0.9.0" });
app.use("/mcp", requireBearerAuth({ verifier: tokenVerifier }));

app.listen(3000); // ok: mcp-server-listen-all-interfaces
