"""Layer sets shipped with geokit.

``mali_2025`` is the 2025 JNIM fuel blockade of Mali (the repository's
``layers/mali_2025``, linked here so that ``pip install geokit`` carries it):
see its README.md for every layer's source, licence and attribution.

Examples
--------
>>> project_path("mali_2025").name
'project.toml'
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from geokit._errors import GeokitError

__all__ = ["project_path", "LAYER_SETS"]

#: The shipped layer sets.
LAYER_SETS = ("mali_2025",)


def project_path(name: str = "mali_2025") -> Path:
    """The project file of a shipped layer set, from a source checkout or an installed geokit.

    Parameters
    ----------
    name : str, default "mali_2025"

    Returns
    -------
    Path
    """
    if name not in LAYER_SETS:
        raise GeokitError(f"no shipped layer set {name!r}; choose one of {', '.join(LAYER_SETS)}")
    resource = files(__name__) / name / "project.toml"
    with as_file(resource) as path:
        path = Path(path)
    if not path.is_file():
        raise GeokitError(f"the shipped layer set {name} is missing from this installation ({path}); "
                          "reinstall geokit")
    return path
