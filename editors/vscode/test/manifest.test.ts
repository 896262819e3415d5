import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Commands, LANGUAGE_ID } from '../src/constants';
import { readJson } from './support/paths';

interface Manifest {
  main: string;
  activationEvents: string[];
  engines: { vscode: string };
  contributes: {
    languages: { id: string; extensions: string[]; filenames: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    commands: { command: string; title: string; category: string }[];
  };
}

const manifest = readJson('package.json') as Manifest;

describe('package.json', () => {
  it('activates on blueprints', () => {
    assert.deepEqual(manifest.activationEvents, ['onLanguage:blueprint', 'workspaceContains:**/*.blueprint.yaml']);
    assert.equal(manifest.main, './out/extension.js');
    assert.equal(manifest.engines.vscode, '^1.85.0');
  });

  it('declares the blueprint language and its YAML-based grammar', () => {
    const [language] = manifest.contributes.languages;
    assert.equal(language?.id, LANGUAGE_ID);
    assert.deepEqual(language.extensions, ['.blueprint.yaml', '.blueprint.yml']);
    assert.ok(language.filenames.includes('blueprint.yaml'));
    const [grammar] = manifest.contributes.grammars;
    assert.equal(grammar?.scopeName, 'source.blueprint');
    const tmLanguage = readJson(grammar.path) as { scopeName: string; patterns: unknown[] };
    assert.equal(tmLanguage.scopeName, 'source.blueprint');
    assert.deepEqual(tmLanguage.patterns, [{ include: 'source.yaml' }]);
    const configuration = readJson(language.configuration) as { comments: { lineComment: string } };
    assert.equal(configuration.comments.lineComment, '#');
  });

  it('contributes the commands the extension registers', () => {
    const declared = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(declared, Object.values(Commands).sort());
    assert.ok(manifest.contributes.commands.every((c) => c.category === 'Blueprint'));
  });
});
