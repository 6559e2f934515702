#!/usr/bin/env bash
# Fetches ReplayWeb.page (the Webrecorder replay app, AGPL-3.0) from the npm registry and unpacks
# it outside the project, printing the folder to use as REPLAYWEBPAGE_DIR. It is not a project
# dependency: it declares Node >= 22 for its own build tools, and only its bundled ui.js and sw.js
# are used, by test/archive/replay.test.ts, to replay the WACZ files Censorscope exports.
# `npm pack` checks the tarball against the registry's integrity hash. Idempotent.
set -euo pipefail
VERSION=${REPLAYWEBPAGE_VERSION:-2.5.3}
DIR=${REPLAYWEBPAGE_HOME:-/tmp/censorscope-replaywebpage-$VERSION}
if [ ! -f "$DIR/package/sw.js" ]; then
  mkdir -p "$DIR"
  (cd "$DIR" && npm pack "replaywebpage@$VERSION" --silent >/dev/null && tar xzf "replaywebpage-$VERSION.tgz")
fi
echo "$DIR/package"
