"""tools/generate.py: nesting the first pass's model examples into request-body examples."""
from __future__ import annotations

import re

import pytest

from tools.generate import GenerateError, nested_example, spec_with_body_examples

EXAMPLES = {
    "Outer": 'pkg.Outer(\n    inner=<<example:Inner>>,\n    items=[<<example:Inner>>],\n    choice=<<example:OneOf>>,\n)',
    "Inner": 'pkg.Inner(\n    deep=<<example:Deep>>,\n)',
    "Deep": 'pkg.Deep(\n    flag=True,\n)',
    "Loop": 'pkg.Loop(\n    next=<<example:Loop>>,\n)',
}


def test_nested_models_are_filled_in_at_their_indentation():
    assert nested_example("Outer", EXAMPLES) == (
        "pkg.Outer(\n"
        "    inner=pkg.Inner(\n"
        "        deep=pkg.Deep(\n"
        "            flag=True,\n"
        "        ),\n"
        "    ),\n"
        "    items=[pkg.Inner(\n"
        "        deep=pkg.Deep(\n"
        "            flag=True,\n"
        "        ),\n"
        "    )],\n"
        "    choice=None,\n"
        ")")


def test_a_model_without_an_object_example_or_inside_itself_is_none():
    assert nested_example("OneOf", EXAMPLES) == "None"
    assert nested_example("Loop", EXAMPLES) == "pkg.Loop(\n    next=None,\n)"


def test_each_model_request_body_gets_its_example_and_nothing_else_changes():
    spec = {"paths": {"/a": {"post": {"requestBody": {"content": {}}, "responses": {}}}}}
    rendered = {"models": EXAMPLES, "request_bodies": [{"path": "/a", "method": "post", "model": "Deep"}]}
    assert spec_with_body_examples(spec, rendered) == {
        "paths": {"/a": {"post": {"requestBody": {"content": {}, "x-py-example": "pkg.Deep(\n    flag=True,\n)"},
                                  "responses": {}}}}}


@pytest.mark.parametrize("request_body, message", [
    (None, "no request body"),
    ({"$ref": "#/components/requestBodies/A"}, "a $ref request body"),
])
def test_a_body_the_spec_cannot_carry_an_example_for_is_a_clear_error(request_body, message):
    operation = {} if request_body is None else {"requestBody": request_body}
    spec = {"paths": {"/a": {"post": operation}}}
    rendered = {"models": EXAMPLES, "request_bodies": [{"path": "/a", "method": "post", "model": "Deep"}]}
    with pytest.raises(GenerateError, match=re.escape(message)):
        spec_with_body_examples(spec, rendered)
