"""Fixtures: real skein builds of the bundled corpus, one per layout the package must read.

`npm test` builds them once and passes them in SKEIN_TEST_FOLDERS (a JSON object, name → folder);
run alone (`.venv/bin/python -m pytest python/tests`, after `npm run build`), the fixtures build
them with the CLI into a temporary folder.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: name → `skein build` arguments (the presets in pipelines/, made small); npm test reads it too.
BUILDS = json.loads((Path(__file__).parent / "builds.json").read_text())


@pytest.fixture(scope="session")
def folders(tmp_path_factory):
    given = os.environ.get("SKEIN_TEST_FOLDERS")
    if given:
        return json.loads(given)
    node = shutil.which("node")
    cli = ROOT / "bin" / "skein.js"
    if node is None or not (ROOT / "dist").is_dir():
        pytest.fail("the fixtures build with skein's CLI: install Node and run `npm run build` first")
    out = {}
    base = tmp_path_factory.mktemp("skein")
    for name, args in BUILDS.items():
        target = base / name
        subprocess.run([node, str(cli), "build", *args, "--output", str(target), "-q", "--no-progress"], cwd=ROOT, check=True)
        out[name] = str(target)
    return out
