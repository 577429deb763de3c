// Runs Placemark's GeoJSON checker (@placemarkio/check-geojson, the maintained successor of
// Mapbox's geojsonhint, whose dependencies npm can no longer fetch) on the files given as
// arguments, and prints one JSON line per file: {"file", "issues": [{"message", "at"}]}, at
// being the issue's offset in the file. Exits 1 if any file has an issue, 2 on bad usage or a
// file that cannot be read.
//
//   node check.mjs a.geojson b.geojson
//
// export/geojson_test.go runs it on the GeoJSON export and on documents that break the format
// on purpose, which must fail.
import { readFileSync } from 'node:fs';
import { getIssues } from '@placemarkio/check-geojson';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check.mjs FILE...');
  process.exit(2);
}

let failed = false;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    process.exit(2);
  }
  const issues = getIssues(text).map((i) => ({ message: i.message, at: i.from }));
  if (issues.length > 0) failed = true;
  console.log(JSON.stringify({ file, issues }));
}
process.exit(failed ? 1 : 0);
