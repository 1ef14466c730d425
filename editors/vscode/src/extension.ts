// The VS Code side of EPL. package.json declares the language, its grammar and its
// configuration; this starts the bundled language server on stdio and adds the command
// `EPL: Run this file`, which runs the file on this machine's kernel through the server
// (`epl.runFile`): hover then shows what each step did, and failed expectations are marked.
import * as path from 'node:path';
import { commands, window } from 'vscode';
import type { ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import type { RunSummary } from '@epl/language-server';
import { summaryText } from './summary';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const server = context.asAbsolutePath(path.join('dist', 'bundle', 'server.js'));
  client = new LanguageClient('epl', 'EPL', { module: server, transport: TransportKind.stdio }, { documentSelector: [{ language: 'epl' }] });
  context.subscriptions.push(commands.registerCommand('epl.run', runActiveFile));
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

async function runActiveFile(): Promise<void> {
  const document = window.activeTextEditor?.document;
  if (document?.languageId !== 'epl') {
    void window.showWarningMessage('EPL: open an .epl file to run it.');
    return;
  }
  try {
    // The client registered the server's command under its own name: it sends it to the server.
    const summary = await commands.executeCommand<RunSummary>('epl.runFile', document.uri.toString());
    void window.showInformationMessage(summaryText(summary));
  } catch (e) {
    void window.showErrorMessage(`EPL: ${e instanceof Error ? e.message : String(e)}`);
  }
}
