#!/usr/bin/env bash
# Usage: tools/scaffold-project.sh <dir> <name> <tags-json> [integration]
# Writes project.json and the jest configs of an Nx project (used once per new project).
set -euo pipefail
dir=$1 name=$2 tags=$3 integ=${4:-}
mkdir -p "$dir/src"
up=$(realpath --relative-to="$dir" .)
cat > "$dir/jest.config.js" <<JEST
module.exports = require('$up/jest.preset.js').projectConfig(__dirname, 'unit');
JEST
targets='"test": { "executor": "@nx/jest:jest", "outputs": [], "options": { "jestConfig": "{projectRoot}/jest.config.js", "passWithNoTests": true } }'
if [ -n "$integ" ]; then
cat > "$dir/jest.integration.config.js" <<JEST
module.exports = require('$up/jest.preset.js').projectConfig(__dirname, 'integration');
JEST
targets="$targets,
    \"integration\": { \"executor\": \"@nx/jest:jest\", \"cache\": false, \"options\": { \"jestConfig\": \"{projectRoot}/jest.integration.config.js\", \"runInBand\": true, \"passWithNoTests\": true } }"
fi
cat > "$dir/project.json" <<PJ
{
  "name": "$name",
  "\$schema": "$up/node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "$( [[ $dir == apps/* ]] && echo application || echo library )",
  "tags": $tags,
  "targets": {
    $targets
  }
}
PJ
