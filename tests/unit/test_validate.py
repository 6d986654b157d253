"""The offline check before writing: the template as sam build/package leave it, compared with
the original, so that only the problems the split brings stop a run."""

from __future__ import annotations

import pytest

from strangler.apply import validate
from strangler.errors import StranglerError
from strangler.model import FileChange

HEADER = "Transform: AWS::Serverless-2016-10-31\nResources:\n"
ZIP = "  {id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n"
BROKEN = "      Policies:\n        - SQSPollerPolicy: {}\n"  # a policy template without its parameter
STRANGLER = "    Metadata:\n      Strangler:\n        Action: a\n        ExtractedFrom: {origin}\n"


def function(logical_id: str, extra: str = "", origin: str | None = None) -> str:
    text = ZIP.format(id=logical_id) + extra
    if origin is not None:
        text = text.replace("    Properties:\n", STRANGLER.format(origin=origin) + "    Properties:\n", 1)
    return text


def check(old: str | None, new: str) -> list[str]:
    said: list[str] = []
    validate.check([FileChange("template.yaml", old, new)], "template.yaml", said.append)
    return said


def test_a_function_without_codeuri_is_packaged_from_the_template_folder() -> None:
    assert check(None, HEADER + function("Fn")) == []


def test_an_image_function_awaiting_sam_build_translates() -> None:
    image = "  Img:\n    Type: AWS::Serverless::Function\n    Metadata:\n      Dockerfile: Dockerfile\n" \
            "    Properties:\n      PackageType: Image\n"
    assert check(None, HEADER + image) == []


def test_a_new_problem_stops_the_run_and_is_called_a_bug() -> None:
    with pytest.raises(validate.Untranslatable) as caught:
        check(HEADER + function("Fn"), HEADER + function("Fn") + function("New", BROKEN))
    assert "Resource with id [New] is invalid" in caught.value.message
    assert "bug in strangler" in (caught.value.hint or "")


def test_a_problem_the_original_had_is_reported_and_does_not_stop_the_run() -> None:
    original = HEADER + function("Fn") + function("Other", BROKEN)

    said = check(original, original + function("New"))

    assert len(said) == 1 and "did not translate before this run either" in said[0]
    assert "Resource with id [Other] is invalid" in said[0]


def test_only_the_new_problems_are_blamed_when_the_original_had_others() -> None:
    original = HEADER + function("Fn") + function("Other", BROKEN)

    with pytest.raises(validate.Untranslatable) as caught:
        check(original, original + function("New", BROKEN))
    assert "[New]" in caught.value.message and "[Other]" not in caught.value.message


def test_a_problem_copied_from_the_monolith_is_the_monolith_s() -> None:
    original = HEADER + function("Monolith", BROKEN)

    said = check(original, original + function("New", BROKEN, origin="Monolith"))

    assert "Resource with id [New] is invalid" in said[0]
    with pytest.raises(validate.Untranslatable):  # a copy of another function's problem is not
        check(original, original + function("New", BROKEN, origin="Elsewhere"))


def test_generated_code_still_has_to_compile() -> None:
    with pytest.raises(StranglerError) as caught:
        validate.check([FileChange("functions/a/app.py", None, "def f(:\n")], "template.yaml")
    assert caught.value.where == "functions/a/app.py:1"
