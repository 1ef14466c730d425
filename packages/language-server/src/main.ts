#!/usr/bin/env node
// epl-language-server: the EPL language server. It speaks LSP on stdin/stdout (`--stdio`, what
// editors pass, is the default); `--node-ipc` and `--socket=PORT` work too, as in every
// vscode-languageserver server.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './server';

const otherTransport = process.argv.some((a) => a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='));
startServer(otherTransport ? createConnection(ProposedFeatures.all) : createConnection(ProposedFeatures.all, process.stdin, process.stdout));
