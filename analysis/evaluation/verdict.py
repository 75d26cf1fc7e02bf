"""The "too few data" verdict shared by every evaluation method.

An evaluation either gives an estimate with its uncertainty or says plainly that the data are
too few for any conclusion. It never falls back to a bare before/after difference. The reason
comes as a stable code (for the web layer to translate into Swedish) and as an English
sentence (for logs and analysts).
"""

from dataclasses import dataclass

ESTIMATE = "estimate"
TOO_FEW_DATA = "too_few_data"


@dataclass(frozen=True)
class Requirement:
    """One minimum the data must reach before a method may report a number."""

    code: str
    observed: float
    minimum: float
    label: str

    @property
    def met(self) -> bool:
        return self.observed >= self.minimum

    def sentence(self) -> str:
        return f"only {self.observed:g} {self.label} (at least {self.minimum:g} needed)"


@dataclass(frozen=True)
class Verdict:
    """Whether a method may report a number, and if not, why."""

    verdict: str
    reason_code: str
    reason: str

    @property
    def ok(self) -> bool:
        return self.verdict == ESTIMATE


def judge(requirements: list[Requirement]) -> Verdict:
    """Return the verdict for the first unmet requirement, or an "estimate" verdict."""
    for requirement in requirements:
        if not requirement.met:
            return Verdict(TOO_FEW_DATA, requirement.code, requirement.sentence())
    return Verdict(ESTIMATE, "", "")
