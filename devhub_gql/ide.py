"""GraphiQL served by the service itself: its libraries come from the npm registry at install time
(`make install` runs `npm ci` in devhub_gql/web, pinned by package-lock.json), never from a CDN at
run time, so the IDE works offline and behind a strict proxy."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

WEB = Path(__file__).with_name("web")
PREFIX = "/ide"

# What the page may load: the IDE's own start script, and the installed libraries' browser builds.
ASSETS = {
    "start-graphiql.js": (WEB / "start-graphiql.js", "text/javascript"),
    "react.js": (WEB / "node_modules/react/umd/react.production.min.js", "text/javascript"),
    "react-dom.js": (
        WEB / "node_modules/react-dom/umd/react-dom.production.min.js",
        "text/javascript",
    ),
    "graphiql.js": (WEB / "node_modules/graphiql/graphiql.min.js", "text/javascript"),
    "graphiql.css": (WEB / "node_modules/graphiql/graphiql.min.css", "text/css"),
}

# GraphiQL's stylesheet inlines its fonts and icons as data: URLs; nothing else is needed.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; form-action 'none'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

_PAGE = (WEB / "graphiql.html").read_text()
_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GraphiQL is not installed</title></head>
<body><main><h1>GraphiQL is not installed</h1>
<p>Its files are installed with the service by <code>make install</code>, which needs Node.js
and npm. The API itself answers at this address: POST a JSON body with a <code>query</code>.</p>
</main></body></html>"""


def installed() -> bool:
    return all(path.exists() for path, _ in ASSETS.values())


def graphiql_page() -> Response:
    if not installed():
        return HTMLResponse(_MISSING, status_code=503, headers={"content-security-policy": POLICY})
    return HTMLResponse(_PAGE, headers={"content-security-policy": POLICY})


async def _asset(request: Request) -> Response:
    found = ASSETS.get(request.path_params["name"])
    if found is None or not found[0].exists():
        return JSONResponse({"error": "not found"}, status_code=404)
    path, media_type = found
    return FileResponse(
        path, media_type=media_type, headers={"cache-control": "public, max-age=3600"}
    )


def asset_routes() -> list[Route]:
    return [Route(f"{PREFIX}/{{name}}", _asset, methods=["GET"])]
