// A server registering its tool handler by the method's name instead of the request schema.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { execFile, exec } from "child_process";
import * as fs from "fs";

export function register(server: Server) {
  server.setRequestHandler("tools/call", async (request: any) => {
    const { name, arguments: args } = request.params;
    if (name === "show_file") {
      const text = fs.readFileSync(args.path, "utf-8"); // expect: js-path-traversal
      return { content: [{ type: "text", text }] };
    }
    if (name === "disk_usage") {
      return new Promise((resolve) => {
        exec(`du -sh ${args.folder}`, (_err, stdout) => resolve({ content: [{ type: "text", text: stdout }] })); // expect: js-command-injection-tool-input
      });
    }
    if (name === "uptime") {
      return new Promise((resolve) => {
        execFile("uptime", [], (_err, stdout) => resolve({ content: [{ type: "text", text: stdout }] })); // ok: js-command-injection-tool-input
      });
    }
    throw new Error(`Unknown tool: ${name}`);
  });

  server.setRequestHandler("prompts/get", async (request: any) => {
    const topic = request.params.arguments?.topic ?? "";
    return { messages: [{ role: "user", content: { type: "text", text: fs.existsSync("notes/" + topic) ? "known" : "new" } }] }; // ok: js-path-traversal
  });
}
