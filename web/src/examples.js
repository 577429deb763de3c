// Example queries that GraphiQL opens as tabs, one per question researchers
// ask most often. The queries live in ../examples/ as plain files, so that the
// Go tests (package web, web.Examples) run exactly the text shown here:
//
//   ../examples/NN-slug.graphql          the query; NN (01, 02 …) is the tab
//                                        order. It starts with `#` comment
//                                        lines saying what it answers; the
//                                        first one, without "# ", is the title.
//   ../examples/NN-slug.variables.json   optional: the Variables pane's text.
//
// GraphiQL names the tab after the operation name. test/examples.test.mjs
// checks that every query parses and validates against ../schema.graphqls.
//
// Each entry: { title, query, variables? } — `variables` is a JSON string, as
// GraphiQL's variables editor holds it.

// Vite inlines the files' text at build time (eager, as raw strings).
const queries = import.meta.glob('../examples/*.graphql', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const variableFiles = import.meta.glob('../examples/*.variables.json', {
  query: '?raw',
  import: 'default',
  eager: true,
});

// titleOf returns the query's first line without its leading "#".
function titleOf(query) {
  const first = query.trimStart().split('\n')[0];
  return first.replace(/^#\s*/, '').trim();
}

export const examples = Object.keys(queries)
  .sort()
  .map((path) => {
    const query = queries[path];
    const variables = variableFiles[path.replace(/\.graphql$/, '.variables.json')];
    const example = { title: titleOf(query), query };
    if (variables !== undefined) {
      example.variables = variables.trimEnd();
    }
    return example;
  });

// The tabs GraphiQL opens with (its `defaultTabs` prop).
export const defaultTabs = examples.map(({ query, variables }) =>
  variables === undefined ? { query } : { query, variables },
);
