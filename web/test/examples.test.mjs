// Checks the example queries GraphiQL opens with against the service's schema
// (../schema.graphqls): every one must parse and validate, have a title and
// start with a `#` comment saying what it answers. Run: npm test (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getOperationAST,
  parse,
  typeFromAST,
  validate,
  coerceInputValue,
} from 'graphql';
import { examples, defaultTabs } from '../src/examples.js';

const schemaPath = new URL('../../schema.graphqls', import.meta.url);
const schema = buildSchema(readFileSync(schemaPath, 'utf8'));

test('there are example queries, one tab each', () => {
  assert.ok(examples.length >= 8, `only ${examples.length} examples`);
  assert.equal(defaultTabs.length, examples.length);
  const titles = new Set(examples.map((e) => e.title));
  assert.equal(titles.size, examples.length, 'titles must be unique');
});

for (const [i, example] of examples.entries()) {
  const name = example.title || `example ${i}`;

  test(`${name}: has a title and a leading comment`, () => {
    assert.equal(typeof example.title, 'string');
    assert.ok(example.title.trim().length > 0, 'empty title');
    assert.equal(typeof example.query, 'string');
    const first = example.query.trimStart().split('\n')[0];
    assert.match(first, /^#\s*\S/, 'the query must start with a # comment');
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
    assert.equal(typeof values, 'object');
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
