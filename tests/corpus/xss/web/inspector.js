// Browser panel of the MCP inspector: shows tool calls and their results.
import DOMPurify from "dompurify";

const log = document.getElementById("log");
const status = document.querySelector("#status");

export function showResult(call, result) {
  const item = document.createElement("li");
  item.innerHTML = `<b>${call.name}</b><pre>${result.text}</pre>`; // expect: js-dom-html-sink
  log.appendChild(item);
}

export function showError(message) {
  status.insertAdjacentHTML("beforeend", "<p class='error'>" + message + "</p>"); // expect: js-dom-html-sink
}

export function clearLog() {
  log.innerHTML = ""; // ok: js-dom-html-sink
  status.textContent = "ready";
}

export function showRendered(html) {
  // item.innerHTML = html is unsafe: sanitise first
  log.innerHTML = DOMPurify.sanitize(html); // ok: js-dom-html-sink
}

export function showToolList(tools) {
  $("#tools").html(tools.map((t) => `<li>${t.name}</li>`).join("")); // expect: jquery-html-non-literal
  const $count = $("#tool-count");
  $count.html("<b>" + tools.length + "</b>"); // expect: jquery-html-non-literal
}

export function resetToolList() {
  $("#tools").html("<li class=\"empty\">No tools</li>"); // ok: jquery-html-non-literal
  const previous = $("#tools").html(); // ok: jquery-html-non-literal
  $("#tool-count").text(String(0));
  return previous;
}
