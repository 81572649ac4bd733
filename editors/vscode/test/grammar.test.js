// The TextMate grammar, tested as VS Code uses it: vscode-textmate with the
// Oniguruma regular expressions VS Code ships (vscode-oniguruma). Every
// bundled program is tokenised; the scopes of every token are compared
// with the committed snapshot (UPDATE=1 writes it), and keywords, texts,
// durations, comments and step names are checked by name.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { test } = require("node:test");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const here = __dirname;
const programs = path.join(here, "..", "..", "..", "programs");
const grammarPath = path.join(here, "..", "syntaxes", "nurture.tmLanguage.json");
const snapshotPath = path.join(here, "programs.tokens.txt");

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === "source.nurture"
        ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath)
        : null,
  });
  return registry.loadGrammar("source.nurture");
}

/** Every token of a text: [line, text, innermost scope]. */
function tokenise(grammar, text) {
  const out = [];
  let stack = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((line, number) => {
    const result = grammar.tokenizeLine(line, stack);
    // Neighbours with the same scope are one token (a text's quotes and
    // body); blanks between tokens are left out.
    let last = null;
    for (const token of result.tokens) {
      const piece = line.slice(token.startIndex, token.endIndex);
      const scope = token.scopes[token.scopes.length - 1];
      if (last && last[2] === scope && last.end === token.startIndex) {
        last[1] += piece;
        last.end = token.endIndex;
        continue;
      }
      last = [number + 1, piece, scope];
      last.end = token.endIndex;
      out.push(last);
    }
    stack = result.ruleStack;
  });
  return out
    .map(([line, piece, scope]) => [line, piece.trim(), scope])
    .filter(([, piece]) => piece !== "");
}

function bundled() {
  return fs
    .readdirSync(programs)
    .filter((name) => name.endsWith(".nurture"))
    .sort()
    .map((name) => [name, fs.readFileSync(path.join(programs, name), "utf8")]);
}

function scopeOf(tokens, line, text) {
  const found = tokens.find(([l, piece]) => l === line && piece === text);
  assert.ok(found, `no token \`${text}\` on line ${line}`);
  return found[2];
}

test("every bundled program is scoped as the snapshot says", async () => {
  const grammar = await loadGrammar();
  let shown = "";
  for (const [name, text] of bundled()) {
    shown += `== ${name}\n`;
    for (const [line, piece, scope] of tokenise(grammar, text)) {
      shown += `${line}\t${piece}\t${scope.replace(/\.nurture$/, "")}\n`;
    }
  }
  if (process.env.UPDATE) fs.writeFileSync(snapshotPath, shown);
  const committed = fs.existsSync(snapshotPath) ? fs.readFileSync(snapshotPath, "utf8") : "";
  assert.ok(committed === shown, "the tokens differ from test/programs.tokens.txt; run `UPDATE=1 npm test` and review the diff");
});

test("keywords, texts, durations, comments and step names are scoped right", async () => {
  const grammar = await loadGrammar();
  const text = fs.readFileSync(path.join(programs, "wake_up_dormant.nurture"), "utf8");
  const tokens = tokenise(grammar, text);
  const lineOf = (needle) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

  assert.equal(scopeOf(tokens, 1, "# Wake up customers who have not bought anything for six months."), "comment.line.number-sign.nurture");
  assert.equal(scopeOf(tokens, lineOf("program wake_up_dormant"), "program"), "keyword.control.nurture");
  assert.equal(scopeOf(tokens, lineOf("program wake_up_dormant"), "wake_up_dormant"), "entity.name.type.program.nurture");
  assert.equal(scopeOf(tokens, lineOf('title    "Wake'), '"Wake up dormant customers"'), "string.quoted.double.nurture");
  const trigger = lineOf("trigger  no purchase for 180d");
  assert.equal(scopeOf(tokens, trigger, "trigger"), "keyword.control.nurture");
  assert.equal(scopeOf(tokens, trigger, "180d"), "constant.numeric.duration.nurture");
  assert.equal(scopeOf(tokens, trigger, "# inactivity: the heart of a wake-up"), "comment.line.number-sign.nurture");
  assert.equal(scopeOf(tokens, lineOf("holdout  10%"), "10%"), "constant.numeric.percentage.nurture");
  assert.equal(scopeOf(tokens, lineOf("quiet    21:00..08:00"), "21:00"), "constant.numeric.time.nurture");
  assert.equal(scopeOf(tokens, lineOf("and lifetime_value >= 100"), "and"), "keyword.operator.word.nurture");
  assert.equal(scopeOf(tokens, lineOf("step hello {"), "hello"), "entity.name.function.step.nurture");
  assert.equal(scopeOf(tokens, lineOf("start hello"), "hello"), "entity.name.function.step.nurture");
  assert.equal(scopeOf(tokens, lineOf("50% -> news_first"), "news_first"), "entity.name.function.step.nurture");
  assert.equal(scopeOf(tokens, lineOf("50% -> news_first"), "->"), "keyword.operator.arrow.nurture");
  assert.equal(scopeOf(tokens, lineOf("timeout -> exit dormant"), "timeout"), "keyword.control.nurture");
  assert.equal(scopeOf(tokens, lineOf("timeout -> exit dormant"), "dormant"), "entity.name.label.outcome.nurture");
  assert.equal(scopeOf(tokens, lineOf("score +5"), "+5"), "constant.numeric.points.nurture");
  // A `#` inside a text is part of the text.
  const withHash = tokenise(grammar, 'notify sales "Order #12 is late"\n');
  assert.deepEqual(withHash.map((t) => t[2]), ["keyword.control.nurture", "source.nurture", "string.quoted.double.nurture"]);
});
