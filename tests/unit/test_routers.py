"""Powertools routers included from other modules: routes found, modules rewritten."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from strangler.analyse.dispatch import Analysis, analyse
from strangler.analyse.dispatch.routers import Neighbours
from strangler.analyse.facts import FactCache
from strangler.analyse.localmods import LocalModules
from strangler.errors import StranglerError
from strangler.model import FunctionRef
from strangler.render import codegen
from strangler.render.needs import slice_action

ROOT = Path("/app")
CODE = ROOT / "src"
FUNCTION = FunctionRef("ApiFunction", "src/", CODE, "app.lambda_handler", CODE / "app.py", "lambda_handler")

APP = '''\
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from api import orders
from api.users import router as users_router
from .admin import router as admin

app = APIGatewayHttpResolver()
app.include_router(orders.router, prefix="/orders")
app.include_router(users_router, "/users/<user_id>")
app.include_router(admin)


def lambda_handler(event, context):
    return app.resolve(event, context)
'''

ORDERS = '''\
"""Orders."""
from aws_lambda_powertools.event_handler.api_gateway import Router

import db

router = Router()
LIMIT = 50


def _view(item):
    return dict(item)


@router.get("/")
def list_orders():
    return [_view(i) for i in db.scan(LIMIT)]


@router.get("/<order_id>")
def get_order(order_id):
    return _view(db.get(order_id))


@router.exception_handler(KeyError)
def missing(ex):
    return {"missing": str(ex)}
'''

USERS = '''\
from aws_lambda_powertools.event_handler.api_gateway import Router

router = Router()


@router.get("/profile")
def profile(user_id):
    return {"user": user_id}
'''

ADMIN = '''\
from aws_lambda_powertools.event_handler.api_gateway import Router

router = Router()


@router.route("/reindex", method=["POST", "PUT"])
def reindex():
    return {"ok": True}
'''


def project(app: str = APP, **extra: str) -> Neighbours:
    files = {"app.py": app, "api/__init__.py": "", "api/orders.py": ORDERS, "api/users.py": USERS, "admin.py": ADMIN,
             "db.py": "def scan(n):\n    return []\n\n\ndef get(i):\n    return {'id': i}\n", **extra}
    sources = {CODE / name: textwrap.dedent(text) for name, text in files.items()}
    return Neighbours(sources, lambda path: path.relative_to(ROOT).as_posix())


def analysed(app: str = APP, **extra: str) -> Analysis:
    neighbours = project(app, **extra)
    return analyse(FUNCTION, neighbours.sources[CODE / "app.py"], "src/app.py", neighbours=neighbours)


def test_routes_of_included_routers_are_actions_with_their_prefix() -> None:
    actions = analysed().dispatch.actions
    assert [(a.key, a.handler, a.module) for a in actions] == [
        ("GET /orders", "list_orders", "src/api/orders.py"),  # the rule "/" is the prefix itself
        ("GET /orders/{order_id}", "get_order", "src/api/orders.py"),
        ("GET /users/{user_id}/profile", "profile", "src/api/users.py"),
        ("POST /reindex", "reindex", "src/admin.py"),
        ("PUT /reindex", "reindex", "src/admin.py"),
    ]


def test_the_new_handler_module_includes_only_its_router() -> None:
    code = codegen.extracted_module(analysed(), "GET /orders/{order_id}", '"""x"""')[0]
    assert 'app.include_router(orders.router, prefix="/orders")' in code
    assert "users" not in code and "admin" not in code


def test_the_router_module_keeps_its_route_its_hooks_and_what_they_need() -> None:
    analysis = analysed()
    route = analysis.layout.route("GET /orders/{order_id}")
    code = codegen.router_module(route.router, [route.index])
    assert code.startswith('"""Orders."""\n')
    assert "def get_order" in code and "def _view" in code and "def missing" in code and "import db" in code
    assert "def list_orders" not in code and "LIMIT" not in code


def test_the_monolith_router_module_loses_the_route_and_what_only_it_used() -> None:
    analysis = analysed()
    route = analysis.layout.route("GET /orders")
    code, gone = codegen.router_module_without(route.router, [route.index])
    assert code == textwrap.dedent(ORDERS).replace(
        '@router.get("/")\ndef list_orders():\n    return [_view(i) for i in db.scan(LIMIT)]\n\n\n', ""
    ).replace("LIMIT = 50\n", "")
    assert gone == ("LIMIT",)  # the route itself is named by the action


def test_the_monolith_handler_module_drops_the_include_once_all_its_routes_left() -> None:
    code = codegen.monolith_module(analysed(), ["GET /orders", "GET /orders/{order_id}"])[0]
    assert "orders" not in code and 'app.include_router(users_router, "/users/<user_id>")' in code


def test_what_other_modules_import_from_a_router_module_stays_in_it() -> None:
    users = USERS + "\nfrom api.orders import _view\n\n\ndef shown(item):\n    return _view(item)\n"
    analysis = analysed(**{"api/users.py": users})
    route = analysis.layout.route("GET /orders/{order_id}")
    code, gone = codegen.router_module_without(route.router, [r.index for r in analysis.layout.routes if r.router is route.router])
    assert "def _view" in code and "def get_order" not in code and "def list_orders" not in code
    assert "_view" not in gone
    assert route.router.imported_by([CODE / "api/users.py"]) == frozenset({"_view"})
    helpers_only = codegen.router_module(route.router, [], frozenset({"_view"}))
    assert "def _view" in helpers_only and "router = Router()" not in helpers_only and "def get_order" not in helpers_only


def test_a_router_module_imported_as_a_module_elsewhere_is_never_trimmed() -> None:
    analysis = analysed(**{"db.py": "from api import orders\n\n\ndef scan(n):\n    return orders.LIMIT\n"})
    route = analysis.layout.route("GET /orders/{order_id}")
    wanted = route.router.imported_by([CODE / "db.py"])
    assert wanted is None
    # a function that copies db.py gets the module whole; one that does not, trimmed
    assert codegen.router_module(route.router, [route.index], wanted) == textwrap.dedent(ORDERS)
    assert "LIMIT" not in codegen.router_module(route.router, [route.index])
    code, _ = codegen.router_module_without(route.router, [route.index])
    assert "LIMIT = 50" in code and "def _view" in code and "def get_order" not in code


def test_names_the_handler_module_takes_from_a_router_module_stay_where_they_are_used() -> None:
    app = APP.replace("from api import orders\n", "from api import orders\nfrom api.orders import LIMIT\n") + (
        '\n\n@app.get("/limits")\ndef limits():\n    return {"orders": LIMIT}\n'
    )
    neighbours = project(app)
    analysis = analysed(app)
    orders = analysis.layout.route("GET /orders").router
    code, _ = codegen.router_module_without(orders, [r.index for r in analysis.layout.routes if r.router is orders])
    assert "LIMIT = 50" in code  # the monolith's handler module still reads it
    modules = LocalModules(CODE, neighbours.sources, neighbours.relative)
    piece = slice_action(analysis, "GET /limits", modules, FactCache())
    copied = piece.rewritten[CODE / "api/orders.py"]
    assert "LIMIT = 50" in copied and "def list_orders" not in copied and "Router()" not in copied
    other = slice_action(analysis, "GET /orders/{order_id}", modules, FactCache())
    assert "LIMIT" not in other.rewritten[CODE / "api/orders.py"]


@pytest.mark.parametrize(
    ("app", "extra", "message"),
    [
        (APP.replace("app.include_router(admin)\n", "") + "\n\ndef setup():\n    app.include_router(admin)\n", {},
         "somewhere other than at module level"),
        (APP.replace('prefix="/orders"', "prefix=PREFIX"), {}, "prefix of an included router is not a literal"),
        (APP.replace("from api import orders", "from vendor import orders"), {}, "vendor.orders is not a module of src/"),
        (APP, {"admin.py": "router = make_router()\n"}, "src/admin.py has no module-level router = Router()"),
        (APP, {"api/users.py": "from aws_lambda_powertools.event_handler.api_gateway import Router\n"
                                "router = Router()\n\n@router.get('/profile')\ndef a(user_id):\n    return 1\n\n"
                                "@router.get('/profile')\ndef b(user_id):\n    return 2\n"},
         "route GET /users/{user_id}/profile is registered twice"),
        (APP, {"api/orders.py": "def broken(:\n"}, "syntax error"),
    ],
    ids=["include-in-a-function", "computed-prefix", "not-local", "no-router", "duplicate-route", "syntax-error"],
)
def test_refusals_name_the_file(app: str, extra: dict[str, str], message: str) -> None:
    with pytest.raises(StranglerError) as caught:
        analysed(app, **extra)
    assert message in caught.value.message
    assert caught.value.where.startswith("src/")
