"""Names derived from dispatch keys: folder names (snake) and logical ids (Pascal)."""

from __future__ import annotations

import pytest

from strangler.naming import pascal, snake, words

KEYS = [
    # key,                      snake,                  pascal
    ("OrderPlaced", "order_placed", "OrderPlaced"),
    ("order_placed", "order_placed", "OrderPlaced"),
    ("order.placed", "order_placed", "OrderPlaced"),
    ("Order-Placed", "order_placed", "OrderPlaced"),
    ("HTTPRequestReceived", "http_request_received", "HttpRequestReceived"),
    ("S3ObjectCreated", "s3_object_created", "S3ObjectCreated"),
    ("PaymentFailedV2", "payment_failed_v2", "PaymentFailedV2"),
    ("GET /orders/{id}", "get_orders_id", "GetOrdersId"),
    ("DELETE /products/{id}", "delete_products_id", "DeleteProductsId"),
    ("ANY /{proxy+}", "any_proxy", "AnyProxy"),
    ("$default", "default", "Default"),
]


@pytest.mark.parametrize(("key", "folder", "_"), KEYS)
def test_snake_names_the_folder(key, folder, _):
    assert snake(key) == folder


@pytest.mark.parametrize(("key", "_", "logical_id"), KEYS)
def test_pascal_names_the_logical_id(key, _, logical_id):
    assert pascal(key) == logical_id


@pytest.mark.parametrize(("key", "_", "__"), KEYS)
def test_logical_ids_are_alphanumeric(key, _, __):
    assert pascal(key).isascii() and pascal(key).isalnum()


def test_words_split_camel_case_acronyms_and_separators():
    assert words("HTTPRequest_received.v2") == ["http", "request", "received", "v2"]


def test_a_key_without_letters_or_digits_has_no_words():
    assert (words("/{}"), snake("/{}"), pascal("/{}")) == ([], "", "")
