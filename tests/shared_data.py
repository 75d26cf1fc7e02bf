"""Where the shared public data sets are (real boundary and incident files the tests read):
LAGESBILD_SHARED_DATA, else ../shared/data beside the checkout (as on CI), else the
development machine's copy; None when none of them is there, so the tests that need them skip."""

import os
from pathlib import Path


def _shared() -> Path | None:
    candidates = [os.environ.get("LAGESBILD_SHARED_DATA", "")]
    candidates += [str(Path(__file__).resolve().parents[2] / "shared" / "data")]
    candidates += ["/work/shared/data"]
    return next((Path(c) for c in candidates if c and Path(c).is_dir()), None)


SHARED = _shared()
