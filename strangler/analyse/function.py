"""One function of the project analysed: its handler module's dispatch, with the actions
earlier runs already extracted from it and the modules next to it."""

from __future__ import annotations

from strangler.analyse.dispatch import Analysis, analyse
from strangler.analyse.dispatch.routers import Neighbours
from strangler.errors import StranglerError
from strangler.load.project import Project, extracted_by_earlier_runs
from strangler.model import FunctionRef
from strangler.template.sam import events_of


def analyse_function(project: Project, function: FunctionRef) -> Analysis:
    if not function.has_local_code:
        raise StranglerError(
            f"Handler {function.handler} of {function.logical_id} points at {project.relative(function.module_path)}, which does not exist",
            where=f"{project.template.path.name}: Resources.{function.logical_id}",
        )
    earlier = tuple(extracted_by_earlier_runs(project, function.logical_id))
    neighbours = Neighbours(project.sources, project.relative)
    events = events_of(project.resources.get(function.logical_id) or {})
    analysis = analyse(
        function, project.sources[function.module_path], project.relative(function.module_path), earlier, neighbours, events
    )
    project.check_editable(function)  # only a function that dispatches is refused for its shape
    return analysis
