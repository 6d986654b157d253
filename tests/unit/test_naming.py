"""Names derived from dispatch keys: folder names (snake) and logical ids (Pascal)."""

from __future__ import annotations

import pytest

from strangler.plan.naming import pascal, snake, words

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


# --- names that would not fit: shortened with a stable hash ------------------------------
from strangler.plan.naming import MAX_FOLDER_NAME, MAX_LOGICAL_ID, folder_name, logical_id, shorten  # noqa: E402


def test_short_names_are_left_alone() -> None:
    assert logical_id("OrderPlaced") == "OrderPlacedFunction"
    assert folder_name("OrderPlaced") == "order_placed"
    assert logical_id("2fa.enabled") == "Action2faEnabledFunction"
    assert folder_name("!!!") == "action"


def test_a_long_key_gives_an_id_that_leaves_room_for_sam_suffixes() -> None:
    key = "Order" + "Placed" * 60
    made = logical_id(key)
    assert len(made) == MAX_LOGICAL_ID and made.endswith("Function") and made.isalnum()
    # <Id><Event>Permission, <Id>Role...: SAM's longest suffixes still fit in 255.
    assert len(made + "A" * 100 + "Permission") <= 255
    assert made == logical_id(key)  # stable from run to run


def test_long_keys_sharing_a_start_stay_distinct() -> None:
    first, second = "Order" + "Placed" * 60 + "A", "Order" + "Placed" * 60 + "B"
    assert logical_id(first) != logical_id(second)
    assert folder_name(first) != folder_name(second)


def test_a_long_folder_name_fits_the_file_system() -> None:
    name = folder_name("Order" + "Placed" * 60)
    assert len(name.encode()) == MAX_FOLDER_NAME <= 255
    assert name.startswith("order_placed_") and name == folder_name("Order" + "Placed" * 60)


def test_shorten_counts_bytes_not_characters() -> None:
    short = shorten("é" * 80, 100, "_")
    assert len(short.encode("utf-8")) <= 100 and short.startswith("é")
