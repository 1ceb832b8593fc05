// Neo4j's own Cypher 5 parser and semantic analysis over many statements in one process,
// because no Neo4j server runs on the development machines (DESIGN.md section 2).
// Used by tests/test_cypher_files.py.
//
// stdin:  JSON [{"file": str, "statement": str, "params": {name: type}}, ...]
// stdout: JSON [{"file": str, "diagnostics": [{"severity", "message", "line", "column",
//         "offset"}]}, ...] in input order; severity 1 = error, 2 = warning; line and
//         column are 1-based and relative to the statement.
import { readFileSync } from 'node:fs';
import { lintCypherQuery, parseStatementsStrs, testData } from '@neo4j-cypher/language-support';

const VERSION = 'CYPHER 5';

// The linter only knows that a parameter exists, never its value (semantic analysis does
// not see parameters), but a sample of the declared type keeps the schema honest.
const SAMPLES = {
  string: 's',
  int: 1,
  float: 1.5,
  bool: true,
  'list<string>': ['s'],
  'list<map>': [{}],
  map: {},
  list: [],
};

// Procedures and functions are checked only when the schema lists them. The package ships
// no registry of its own but its test data: a Neo4j 5 Enterprise server's list, with the
// APOC and GDS plugins, which production does not have, so those are dropped.
const plugin = (name) => /^(apoc|gds)\./.test(name);
const keep = (registry, ok) => Object.fromEntries(Object.entries(registry).filter(ok));
const BUILTINS = {
  defaultLanguage: VERSION,
  procedures: { [VERSION]: keep(testData.mockSchema.procedures[VERSION], ([n]) => !plugin(n)) },
  functions: {
    [VERSION]: keep(testData.mockSchema.functions[VERSION], ([n, f]) => f.isBuiltIn && !plugin(n)),
  },
};

function error(message) {
  return { severity: 1, message, line: 1, column: 1, offset: 0 };
}

function lint({ statement, params }) {
  const parameters = {};
  const found = [];
  for (const [name, type] of Object.entries(params ?? {})) {
    if (type in SAMPLES) parameters[name] = SAMPLES[type];
    else found.push(error(`Parameter $${name} has unknown type ${JSON.stringify(type)}`));
  }
  // The driver sends one statement per query; several here mean a `;` the splitter missed.
  const count = parseStatementsStrs(statement).filter((s) => s.trim()).length;
  if (count > 1) {
    found.push(error(`${count} statements in one: separate them with a line holding only ;`));
  }
  // Production is Neo4j 5: the analyser would otherwise accept Cypher 25 on request.
  if (/^\s*CYPHER\s+(?!5\b)\d/i.test(statement)) {
    found.push(error(`Only ${VERSION} is checked (and served by Neo4j 5)`));
  }
  const { diagnostics } = lintCypherQuery(
    statement,
    { ...BUILTINS, parameters },
    { consoleCommandsEnabled: false },
  );
  for (const d of diagnostics) {
    found.push({
      severity: d.severity,
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      offset: d.offsets.start,
    });
  }
  return found;
}

const items = JSON.parse(readFileSync(0, 'utf8'));
const results = items.map((item) => ({ file: item.file, diagnostics: lint(item) }));
process.stdout.write(JSON.stringify(results));
