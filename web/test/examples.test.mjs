// Checks the example queries GraphiQL opens with against the service's schema
// (../schema.graphqls): every one must parse and validate, have a title and
// start with a `#` comment saying what it answers. Run: npm test (node --test).
//
// The examples are read from ../examples/ as src/examples.js gets them through
// Vite (node cannot run import.meta.glob): NN-slug.graphql in file-name order,
// the title being the first line without "# ", and the optional
// NN-slug.variables.json beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import {
  buildSchema,
  getOperationAST,
  parse,
  typeFromAST,
  validate,
  coerceInputValue,
} from 'graphql';

const examplesDir = new URL('../examples/', import.meta.url);
const exampleFiles = readdirSync(examplesDir).sort();

// The same as src/examples.js builds from import.meta.glob.
const examples = exampleFiles
  .filter((f) => f.endsWith('.graphql'))
  .map((file) => {
    const query = readFileSync(new URL(file, examplesDir), 'utf8');
    const title = query.trimStart().split('\n')[0].replace(/^#\s*/, '').trim();
    const example = { file, title, query };
    const varsFile = file.replace(/\.graphql$/, '.variables.json');
    if (exampleFiles.includes(varsFile)) {
      example.variables = readFileSync(new URL(varsFile, examplesDir), 'utf8').trimEnd();
    }
    return example;
  });
const defaultTabs = examples.map(({ query, variables }) =>
  variables === undefined ? { query } : { query, variables },
);

const schemaPath = new URL('../../schema.graphqls', import.meta.url);
const schema = buildSchema(readFileSync(schemaPath, 'utf8'));

test('there are example queries, one tab each', () => {
  assert.ok(examples.length >= 8, `only ${examples.length} examples`);
  assert.equal(defaultTabs.length, examples.length);
  const titles = new Set(examples.map((e) => e.title));
  assert.equal(titles.size, examples.length, 'titles must be unique');
});

test('example files are named NN-slug, numbered 01, 02 … in tab order', () => {
  for (const [i, example] of examples.entries()) {
    const nn = String(i + 1).padStart(2, '0');
    assert.match(example.file, /^\d\d-[a-z0-9]+(-[a-z0-9]+)*\.graphql$/, example.file);
    assert.ok(example.file.startsWith(`${nn}-`), `${example.file} should be numbered ${nn}`);
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

test('src/examples.js takes the examples from ../examples/', () => {
  const src = readFileSync(new URL('../src/examples.js', import.meta.url), 'utf8');
  assert.match(src, /import\.meta\.glob\(\s*'\.\.\/examples\/\*\.graphql'/);
  assert.match(src, /import\.meta\.glob\(\s*'\.\.\/examples\/\*\.variables\.json'/);
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
    assert.equal(op.operation, 'query');
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
