"""Where the shared public data sets are: ../shared/data beside the checkout (as on CI), else
LAGESBILD_SHARED_DATA, else the development machine's copy. One rule for every benchmark, so
a script run from a worktree at another depth finds the same files."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_data() -> Path:
    candidates = [os.environ.get("LAGESBILD_SHARED_DATA", ""), str(ROOT.parent / "shared" / "data")]
    return next((Path(c) for c in candidates if c and Path(c).is_dir()), Path("/work/shared/data"))
