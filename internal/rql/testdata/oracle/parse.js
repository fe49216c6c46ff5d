// Differential-test oracle for internal/rql (see oracle_test.go): reads RQL
// queries, one per line, on stdin and prints one JSON line for each, either
// {"tree": T} or {"error": "message"}, where T is the npm rql parse tree
// normalized to calls {"name": n, "args": [...]}, lists as arrays and every
// other value as its string form.
"use strict";
const parser = require("rql/parser");

function norm(v) {
  if (Array.isArray(v)) return v.map(norm);
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === "object" && typeof v.name === "string" && Array.isArray(v.args)) {
    return { name: v.name, args: v.args.map(norm) };
  }
  return String(v);
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const lines = input.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const out = lines.map((q) => {
    try {
      return JSON.stringify({ tree: norm(parser.parse(q)) });
    } catch (e) {
      return JSON.stringify({ error: String(e && e.message || e) });
    }
  });
  process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));
});
