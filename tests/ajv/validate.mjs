// Ajv in strict mode (every strict option on, no union types, unknown
// formats and keywords refused), with the standard formats of ajv-formats:
// compiles a JSON Schema of nurture's, then validates documents against it.
//
//   node tests/ajv/validate.mjs SCHEMA.json [--lines] [DOCUMENT …]
//
// With --lines each document is JSON Lines: every line is validated. Says
// what failed on stderr and exits 1; exits 0 when the schema compiles and
// every document is valid. tests/schemas.rs runs it.
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";

const [schemaPath, ...rest] = process.argv.slice(2);
const lines = rest[0] === "--lines";
const documents = lines ? rest.slice(1) : rest;

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
let validate;
try {
  validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));
} catch (error) {
  console.error(`${schemaPath} does not compile: ${error.message}`);
  process.exit(1);
}

let failed = false;
for (const path of documents) {
  const text = readFileSync(path, "utf8");
  const parts = lines ? text.split("\n").filter((line) => line.trim() !== "") : [text];
  parts.forEach((part, n) => {
    if (!validate(JSON.parse(part))) {
      failed = true;
      const where = lines ? `${path}:${n + 1}` : path;
      console.error(`${where}: ${ajv.errorsText(validate.errors)}`);
    }
  });
}
process.exit(failed ? 1 : 0);
