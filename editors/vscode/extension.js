// The nurture extension: the language's colours come from the TextMate
// grammar (syntaxes/), everything else from `nurture lsp`, started here
// as a language server over standard input and output.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("nurture").get("path") || "nurture";
  const serverOptions = { command, args: ["lsp"] };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "nurture" },
      { scheme: "untitled", language: "nurture" },
    ],
  };
  client = new LanguageClient("nurture", "nurture", serverOptions, clientOptions);
  client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `nurture: could not start \`${command} lsp\` (${error.message}). ` +
        "Install nurture, or set `nurture.path` to where it is.",
    );
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
