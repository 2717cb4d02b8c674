"""The FastAPI application: protocol routes, `/predict`, `/metrics`, limits and errors.

`create_app` builds a fresh app with its own model state and metrics registry, so tests
and tools can run several side by side; nothing happens at import time. The model is
loaded when the app starts (lifespan) and smoke-tested on known rows (`smoke.py`); a failed
load or smoke prediction leaves the app up but not ready.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ..meta import MODEL_NAME, TASK, package_version
from ..monitoring.metrics import ServiceMetrics
from ..monitoring.monitor import Monitor
from ..monitoring.reference import load_reference
from ..monitoring.settings import MonitoringSettings
from .dispatch import Dispatch
from .encoding import RequestEncoding
from .errors import install_error_handlers
from .middleware import BodySizeLimit, RequestMetrics
from .openapi import install_openapi
from .protocol_routes import protocol_router
from .request_id import RequestId
from .scoring import Scorer
from .service_routes import service_router
from .settings import ServeSettings
from .smoke import smoke_test
from .state import ModelState

logger = logging.getLogger(__name__)


def create_app(
    settings: ServeSettings | None = None, monitoring: MonitoringSettings | None = None
) -> FastAPI:
    """Build the service; settings default to the environment (see both settings classes)."""
    settings = settings or ServeSettings()
    monitoring = monitoring or MonitoringSettings()
    metrics = ServiceMetrics()
    monitor = Monitor(metrics, monitoring) if monitoring.monitoring_enabled else None
    state = ModelState(
        settings.model_dir,
        settings.model_uri,
        settings.model_cache_dir,
        previous_dir=settings.previous_dir,
    )
    scorer = Scorer(state=state, metrics=metrics, monitor=monitor)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        load_model(scorer)
        yield

    app = FastAPI(
        title=MODEL_NAME,
        version=package_version(),
        summary=f"A {TASK} model served over the Open Inference Protocol.",
        lifespan=lifespan,
    )
    app.state.scorer = scorer  # reachable by operational tooling, tests and the gRPC server
    install_error_handlers(app)
    install_openapi(app)
    dispatch = Dispatch(scorer.lock, budget=settings.inline_budget_ms / 1000)
    app.state.dispatch = dispatch  # shared with the gRPC server: one measure of the model
    app.include_router(protocol_router(scorer, dispatch))
    app.include_router(service_router(scorer, dispatch))
    # The last middleware added runs first: metrics see every request, 413s included, and
    # the size limit bounds the compressed body before `RequestEncoding` inflates it.
    app.add_middleware(RequestEncoding, max_bytes=settings.max_request_bytes)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(RequestMetrics, metrics=scorer.metrics)
    app.add_middleware(RequestId)
    return app


def load_model(scorer: Scorer) -> None:
    """(Re)load and smoke-test the artifact; publish which model is serving, or that none is."""
    state = scorer.state
    state.load()
    source = state.source_dir
    reference = None if state.artifact is None or source is None else load_reference(source)
    failure = None if state.artifact is None else smoke_test(state.artifact.pipeline, reference)
    if failure is not None:
        state.artifact, state.error = None, failure
    artifact = state.artifact
    if scorer.monitor is not None:
        scorer.monitor.set_reference(None if artifact is None else reference)
    state.publish()
    if artifact is None:
        logger.error("no model to serve: %s", state.error)
        scorer.metrics.set_model(None, None)
        return
    metadata = artifact.metadata
    logger.info(
        "serving %s version %s from %s",
        metadata.name,
        artifact.version,
        state.model_uri or source,
        extra={"fields": {"model_version": artifact.version, "versions": artifact.versions}},
    )
    labels = {
        "name": metadata.name,
        "version": artifact.version,
        "task": metadata.task,
        "git_sha": metadata.git_sha or "unknown",
        "package_version": metadata.package_version,
    }
    scorer.metrics.set_model(labels, metadata.created_at.timestamp())
