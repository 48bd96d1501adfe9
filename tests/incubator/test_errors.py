"""The one error contract (issue 11, part 2): every refusal a service raises reaches the person the same way,
next to the field it names or as a message, and anything else is not swallowed."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from incubator.errors import ApplicationError, problems, run_service
from incubator.workflow import TransitionError


class NameForm(forms.Form):
    name = forms.CharField()
    organisation_name = forms.CharField(required=False)


def a_request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def raising(exc):
    def call():
        raise exc

    return call


def test_a_transition_error_is_an_application_error_with_its_message():
    exc = TransitionError("不能提交")
    assert isinstance(exc, ApplicationError) and exc.message == "不能提交" and problems(exc) == [(None, "不能提交")]


def test_refusals_land_beside_their_fields_or_above_the_form():
    form = NameForm({"name": "x"})
    assert form.is_valid()
    ok, result = run_service(a_request(), raising(ValidationError({"name": "重名", "other": "其他"})), form=form)
    assert (ok, result) == (False, None)
    assert form.errors["name"] == ["重名"] and form.non_field_errors() == ["其他"]
    form = NameForm({"name": "x"})
    form.is_valid()
    aliases = {"name": "organisation_name"}
    run_service(a_request(), raising(ValidationError({"name": "重名"})), form=form, aliases=aliases)
    assert form.errors["organisation_name"] == ["重名"] and "name" not in form.errors
    form = NameForm({"name": "x"})
    form.is_valid()
    run_service(a_request(), raising(ApplicationError("一", "二", field="name")), form=form)
    assert form.errors["name"] == ["一", "二"]


def test_without_a_form_refusals_and_success_are_messages():
    request = a_request()
    assert run_service(request, raising(PermissionDenied("只有运营人员可以操作")))[0] is False
    assert run_service(request, raising(ValidationError(["甲", "乙"])))[0] is False
    assert run_service(request, lambda: 7, success=lambda n: f"完成 {n}") == (True, 7)
    assert [str(m) for m in get_messages(request)] == ["只有运营人员可以操作", "甲", "乙", "完成 7"]


def test_a_bug_is_not_swallowed():
    with pytest.raises(ZeroDivisionError):
        run_service(a_request(), lambda: 1 / 0)
