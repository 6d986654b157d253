// Reads a Mermaid diagram on stdin with Mermaid's own parser: prints "ok", or the error and exits 1.
// Mermaid sanitises labels with DOMPurify, which needs a DOM: jsdom provides one.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });
try {
  const found = await mermaid.parse(readFileSync(0, "utf8"));
  console.log(`ok ${found.diagramType}`);
} catch (error) {
  console.log(`error: ${error.message}`);
  process.exit(1);
}
