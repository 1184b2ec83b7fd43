"""`python -m kafo_data validate`: every data file checked again, as the ingest would check it.

The store's own checks (reference, built files, record batches: `store.checks`) and the ingest's
rules for money rows (`ingest.money.check_money_files`), applied to what is already stored.
"""

from __future__ import annotations

from pathlib import Path

from kafo_data.errors import ReferenceError
from kafo_data.ingest.money import check_money_files
from kafo_data.store.checks import check_batches, check_built
from kafo_data.store.reference import check_reference


def validate(root: Path) -> list[str]:
    """All problems in a data directory; empty when it is clean.

    Files are named relative to the data directory, never by the server's absolute path.
    """
    try:
        problems = check_reference(root)
    except ReferenceError as exc:
        return [_relative(str(exc), root)]
    found = problems + check_built(root) + check_batches(root) + check_money_files(root)
    return [_relative(p, root) for p in found]



def _relative(problem: str, root: Path) -> str:
    for prefix in {str(Path(root)), str(Path(root).resolve())}:
        problem = problem.replace(prefix + "/", "").replace(prefix, ".")
    return problem
