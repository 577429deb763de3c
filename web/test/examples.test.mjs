// Checks the example queries GraphiQL opens with against the service's schema
// (../schema.graphqls and ../schema/*.graphqls): every one must parse and validate, have a title and
// start with a `#` comment saying what it answers. Run: npm test (node --test).
//
// The examples are the shipped module's: src/examples.js is loaded through
// Vite's module runner, which resolves its import.meta.glob as the build does,
// so the test sees exactly what the bundle holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';
import { schemaText } from './schema.mjs';
import {
  buildSchema,
  getOperationAST,
  parse,
  typeFromAST,
  validate,
  coerceInputValue,
} from 'graphql';

const webDir = fileURLToPath(new URL('../', import.meta.url));
const { module: shipped } = await runnerImport(fileURLToPath(new URL('../src/examples.js', import.meta.url)), {
  configFile: false,
  root: webDir,
  logLevel: 'error',
});
const { examples, defaultTabs } = shipped;

const examplesDir = new URL('../examples/', import.meta.url);
const exampleFiles = readdirSync(examplesDir).sort();
const queryFiles = exampleFiles.filter((f) => f.endsWith('.graphql'));

// checkTabs asserts that examples and tabs are the files in examples/, in file-name order.
function checkTabs(examples, defaultTabs) {
  assert.equal(examples.length, queryFiles.length);
  for (const [i, file] of queryFiles.entries()) {
    const text = readFileSync(new URL(file, examplesDir), 'utf8');
    assert.equal(examples[i].query, text, `tab ${i + 1} is not ${file}`);
    const varsFile = file.replace(/\.graphql$/, '.variables.json');
    const vars = exampleFiles.includes(varsFile)
      ? readFileSync(new URL(varsFile, examplesDir), 'utf8').trimEnd()
      : undefined;
    assert.equal(examples[i].variables, vars, `variables of ${file}`);
    assert.deepEqual(
      defaultTabs[i],
      vars === undefined ? { query: text } : { query: text, variables: vars },
    );
  }
}

test('the shipped examples are the files in examples/, in file-name order', () => {
  checkTabs(examples, defaultTabs);
});

// Negative control: the same check fails on the shipped tabs in reverse order, and on them with
// one tab's variables left out.
test('the tab check fails on tabs out of order or missing their variables', () => {
  assert.throws(() => checkTabs([...examples].reverse(), [...defaultTabs].reverse()), /tab 1 is not/);
  const i = examples.findIndex((e) => e.variables !== undefined);
  assert.ok(i >= 0, 'no example has variables: the second control tests nothing');
  const withoutVars = examples.map((e, j) => (j === i ? { ...e, variables: undefined } : e));
  assert.throws(() => checkTabs(withoutVars, defaultTabs), /variables of/);
});

const schema = buildSchema(schemaText);

test('there are example queries, one tab each', () => {
  assert.ok(examples.length >= 8, `only ${examples.length} examples`);
  assert.equal(defaultTabs.length, examples.length);
  const titles = new Set(examples.map((e) => e.title));
  assert.equal(titles.size, examples.length, 'titles must be unique');
});

test('example files are named NN-slug, numbered 01, 02 … in tab order', () => {
  for (const [i, file] of queryFiles.entries()) {
    const nn = String(i + 1).padStart(2, '0');
    assert.match(file, /^\d\d-[a-z0-9]+(-[a-z0-9]+)*\.graphql$/, file);
    assert.ok(file.startsWith(`${nn}-`), `${file} should be numbered ${nn}`);
  }
  for (const file of exampleFiles) {
    if (file.endsWith('.variables.json')) {
      const query = file.replace(/\.variables\.json$/, '.graphql');
      assert.ok(exampleFiles.includes(query), `${file} has no ${query}`);
    } else {
      assert.ok(file.endsWith('.graphql'), `unexpected file examples/${file}`);
    }
  }
});

for (const [i, example] of examples.entries()) {
  const name = example.title || `example ${i}`;

  test(`${name}: has a title and a leading comment`, () => {
    assert.equal(typeof example.title, 'string');
    assert.ok(example.title.trim().length > 0, 'empty title');
    assert.equal(typeof example.query, 'string');
    const first = example.query.split('\n')[0];
    assert.match(first, /^# \S/, 'the file must start with a "# title" comment line');
  });

  test(`${name}: parses and validates against schema.graphqls`, () => {
    const doc = parse(example.query);
    const errors = validate(schema, doc);
    assert.deepEqual(
      errors.map((e) => e.message),
      [],
      `validation errors in "${name}"`,
    );
    const op = getOperationAST(doc);
    assert.ok(op, 'exactly one operation expected');
    // Queries answer anyone; a curation tab (a mutation) must say in its comment that it
    // needs a curator's token, and how to put it in the Headers pane.
    assert.ok(['query', 'mutation'].includes(op.operation), `a ${op.operation} cannot be an example tab`);
    if (op.operation === 'mutation') {
      assert.match(example.query, /^# .*role curator/m, 'a curation tab must say it needs a curator token');
      assert.match(example.query, /Authorization/, 'a curation tab must say how to send the token');
    }
    // GraphiQL names the tab after the operation.
    assert.ok(op.name?.value, 'the operation needs a name (the tab title)');
  });

  test(`${name}: variables are JSON and fit the operation`, () => {
    const doc = parse(example.query);
    const op = getOperationAST(doc);
    const values = example.variables === undefined ? {} : JSON.parse(example.variables);
    assert.ok(values !== null && typeof values === 'object' && !Array.isArray(values), 'variables must be a JSON object');
    const declared = new Set();
    for (const def of op.variableDefinitions ?? []) {
      const varName = def.variable.name.value;
      declared.add(varName);
      const type = typeFromAST(schema, def.type);
      assert.ok(type, `unknown type for $${varName}`);
      if (varName in values) {
        const problems = [];
        coerceInputValue(values[varName], type, (path, _value, error) => {
          problems.push(`${[varName, ...path].join('.')}: ${error.message}`);
        });
        assert.deepEqual(problems, []);
      }
    }
    for (const key of Object.keys(values)) {
      assert.ok(declared.has(key), `variable "${key}" is not declared by the operation`);
    }
  });
}

test('operation names are unique (tab titles)', () => {
  const names = examples.map((e) => getOperationAST(parse(e.query))?.name?.value);
  assert.equal(new Set(names).size, names.length);
});
