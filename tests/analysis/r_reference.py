"""R's ``surveillance::farringtonFlexible`` with Noufaily's settings, run through Rscript
(no rpy2), for the tests that compare with it and for ``benchmarks.validity_scorecard``."""

import subprocess

import numpy as np

from analysis import weeks

R_SCRIPT = """
suppressMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
observed <- as.matrix(read.csv(args[1], header = FALSE))
mondays <- as.Date(readLines(args[2]))
range <- as.integer(readLines(args[3]))
data <- sts(observed = observed, epoch = mondays, frequency = 52, epochAsDate = TRUE)
control <- list(range = range, b = 5, w = 3, noPeriods = 10, pastWeeksNotIncluded = 26,
  weightsThreshold = 2.58, thresholdMethod = "nbPlugin", alpha = 0.05, limit54 = c(5, 4),
  glmWarnings = FALSE)
result <- suppressWarnings(farringtonFlexible(data, control = control))
out <- function(x, name) write.table(x, paste0(args[4], name), sep = ",",
  row.names = FALSE, col.names = FALSE, na = "NaN")
out(result@control$mu0Vector, ".expected")
out(upperbound(result), ".upper")
out(alarms(result) * 1, ".alarm")
out(result@control$pvalue, ".p")
"""


def farrington_flexible(counts, first_week: int, tested: range, directory) -> dict:
    """R's ``expected``, ``upper``, ``alarm`` and ``p`` for the ``tested`` weeks (tested
    weeks x series) of ``counts`` (series x weeks from ``first_week``), its files kept in
    ``directory`` (a pathlib.Path)."""
    np.savetxt(directory / "observed.csv", counts[:, : tested.stop].T, fmt="%d", delimiter=",")
    (directory / "mondays.txt").write_text(
        "\n".join(str(weeks.monday(first_week + j)) for j in range(tested.stop)) + "\n"
    )
    (directory / "range.txt").write_text("\n".join(str(k + 1) for k in tested) + "\n")
    (directory / "run.R").write_text(R_SCRIPT)
    files = ("run.R", "observed.csv", "mondays.txt", "range.txt", "r")
    subprocess.run(
        ["Rscript", *(str(directory / name) for name in files)], check=True, capture_output=True
    )
    names = ("expected", "upper", "alarm", "p")
    return {name: np.loadtxt(directory / f"r.{name}", delimiter=",", ndmin=2) for name in names}
