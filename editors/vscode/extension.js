// A thin client: VS Code starts `invokeai-lint server` for YAML files; the server decides
// which of them are InvokeAI configs (by name or content), as the CLI does.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const cfg = vscode.workspace.getConfiguration("invokeaiLint");
  const command = cfg.get("path") || "invokeai-lint";
  client = new LanguageClient(
    "invokeai-lint",
    "invokeai-lint",
    { run: { command, args: ["server"] }, debug: { command, args: ["server"] } },
    {
      documentSelector: [{ scheme: "file", language: "yaml" }, { scheme: "untitled", language: "yaml" }],
      initializationOptions: {
        detect: cfg.get("detect"),
        log: cfg.get("log"),
        invokeaiVersion: cfg.get("invokeaiVersion") || undefined,
      },
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher("**/{invokeai-lint.toml,*.log}"),
      },
    }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
