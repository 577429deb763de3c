"""Checks the incidentgraph property-extension of every object of STIX bundles against its
published JSON schema (stix/extension.schema.json), which the OASIS validator cannot: it knows
the extension only by id.

    extension_check.py SCHEMA EXTENSION_ID FILE...

prints one JSON line per file, {"file", "objects", "extensions", "errors"}, and exits 1 when any
extension breaks the schema or names another extension definition than the bundle holds.
"""
import json
import sys

from jsonschema import Draft202012Validator


def main(schema_path, extension_id, files):
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    failed = False
    for path in files:
        with open(path, encoding="utf-8") as f:
            bundle = json.load(f)
        objects = bundle.get("objects", [])
        defined = {o["id"] for o in objects if o.get("type") == "extension-definition"}
        errors, checked = [], 0
        if extension_id not in defined:
            errors.append("the bundle holds no extension-definition " + extension_id)
        for o in objects:
            for key, ext in (o.get("extensions") or {}).items():
                if key.startswith("extension-definition--") and key not in defined:
                    errors.append("%s: extension %s is not defined in the bundle" % (o.get("id"), key))
                if key != extension_id:
                    continue
                checked += 1
                for e in validator.iter_errors(ext):
                    where = "/".join(str(p) for p in e.absolute_path)
                    errors.append("%s: %s: %s" % (o.get("id"), where, e.message))
        failed = failed or bool(errors)
        print(json.dumps({"file": path, "objects": len(objects), "extensions": checked, "errors": errors}))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
