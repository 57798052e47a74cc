"""The FastAPI application: routers, problem+json handlers, health probes, and its database.

``create_app()`` builds everything from settings (``KOSHI_DATABASE_URL`` …);
tests pass their own engine.  The OpenFisca system is built at start-up, not on
the first submission, so the first applicant does not wait for it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from starlette.middleware.sessions import SessionMiddleware
from swagger_ui_bundle import swagger_ui_path

from koshi import __version__, redact
from koshi.api import agencies, auth, cases, feeds, labour, linkage, problems, registry, resettle
from koshi.rules.system import system
from koshi.settings import Settings, settings
from koshi.store import migrate
from koshi.store.db import make_engine, make_sessionmaker
from koshi.web import agencies as web_agencies
from koshi.web import applicant as web_applicant
from koshi.web import dashboard as web_dashboard
from koshi.web import labour as web_labour
from koshi.web import linkage as web_linkage
from koshi.web import officer as web_officer
from koshi.web import pages as web_pages
from koshi.web import police as web_police
from koshi.web import resettle as web_resettle
from koshi.web import security as web_security

log = logging.getLogger("koshi.api")


def create_app(config: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """The API on ``engine`` (default: one built from ``config.database_url``)."""
    config = config or settings()
    config.signing_key()  # fail at start-up, not at the first sign-in, when the secret is missing or weak
    engine = engine or make_engine(config.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redact.install()
        system()  # parse parameters and build the rules once, before the first request
        log.info("koshi %s ready on %s", __version__, engine.url.get_backend_name())
        yield
        engine.dispose()

    app = FastAPI(
        title="Koshi case service",
        version=__version__,
        description=(
            "Applications for permanent residence and kandas status: apply, score with the policy in force, "
            "decide with reasons (four eyes on refusals), appeal. Every read and change is in a hash-chained "
            "audit log. Errors are RFC 9457 problem+json."
        ),
        lifespan=lifespan,
        docs_url=None,  # served below from packaged assets: FastAPI's default page loads them from a CDN
        redoc_url=None,
    )
    app.state.settings = config
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    problems.install(app)
    cases.install(app)
    registry.install(app)
    app.include_router(auth.router)
    app.include_router(cases.router)
    app.include_router(feeds.router)
    app.include_router(registry.router)
    app.include_router(linkage.router)
    app.include_router(labour.router)
    app.include_router(agencies.router)
    app.include_router(resettle.router)
    app.include_router(web_pages.router)
    app.include_router(web_applicant.router)
    app.include_router(web_officer.router)
    app.include_router(web_dashboard.router)
    app.include_router(web_police.router)
    app.include_router(web_linkage.router)
    app.include_router(web_agencies.router)
    app.include_router(web_labour.router)
    app.include_router(web_resettle.router)
    # outermost last: headers on every response, then the session, then the page language and user
    app.add_middleware(web_pages.PageContext)
    app.add_middleware(
        SessionMiddleware,
        secret_key=config.signing_key(),
        session_cookie="koshi_session",
        max_age=8 * 3600,
        same_site="lax",
        https_only=config.env == "production",
    )
    app.add_middleware(web_security.SecurityHeaders)

    app.mount("/static/swagger", StaticFiles(directory=str(swagger_ui_path)), name="swagger")
    app.mount("/static", StaticFiles(packages=[("koshi.web", "static")]), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        html = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Koshi case service",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )
        # Swagger UI starts from one inline script: allow exactly that script by its hash, nothing else inline
        csp = web_security.CSP.replace(
            "script-src 'self'", "script-src 'self' " + web_security.script_hashes(bytes(html.body).decode())
        ).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        html.headers["Content-Security-Policy"] = csp
        return html

    @app.get("/healthz", tags=["health"], summary="The process is alive")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="The database answers and its schema is current")
    def readyz(request: Request) -> dict[str, Any]:
        eng: Engine = request.app.state.engine
        try:
            with eng.connect() as connection:
                connection.execute(text("SELECT 1"))
            at = migrate.current(eng)
        except Exception as exc:  # any database failure means "not ready"
            raise problems.Problem(503, f"database unavailable: {type(exc).__name__}") from None
        if at != migrate.head():
            raise problems.Problem(503, f"schema at {at}, expected {migrate.head()}: run `koshi db upgrade`")
        return {"status": "ready", "database": eng.url.get_backend_name(), "schema": at}

    return app
