"""clinic.edges: the one way a view turns a service's refusal into what the user
sees (on the form, or as a message), and the filtered list's query string."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import RequestFactory
from django.views.generic import FormView, ListView

from clinic.edges import (
    FilteredListMixin,
    PostActionView,
    ServiceFormMixin,
    querystring,
)
from clinic.exceptions import ApplicationError


class Conflict(ApplicationError):
    pass


class NameForm(forms.Form):
    name = forms.CharField()
    confirm = forms.BooleanField(required=False)


def _request(method="post", path="/x/", data=None):
    factory = RequestFactory()
    request = getattr(factory, method)(path, data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


class _Form(ServiceFormMixin, FormView):
    form_class = NameForm
    template_name = "clinic/staff_form.html"
    success_url = "/done/"
    success_message = "Saved."
    refusal_fields = {Conflict: "confirm"}
    raises = None

    def perform(self, form):
        if self.raises is not None:
            raise self.raises
        return None

    def form_invalid(self, form):
        self.invalid_form = form
        return super().form_invalid(form)

    def render_to_response(self, context, **kwargs):
        self.rendered = context
        from django.http import HttpResponse

        return HttpResponse("form again")


def _post_form(raises):
    view = _Form(raises=raises)
    request = _request(data={"name": "Ada"})
    view.setup(request)
    response = view.post(request)
    return view, request, response


def test_success_adds_the_message_and_redirects():
    view, request, response = _post_form(None)
    assert response.status_code == 302 and response["Location"] == "/done/"
    assert [str(m) for m in get_messages(request)] == ["Saved."]


class _Served(ServiceFormMixin, FormView):
    form_class = NameForm
    template_name = "clinic/staff_form.html"
    success_url = "/done/"
    calls: list = []

    @staticmethod
    def service(**kwargs):
        _Served.calls.append(kwargs)

    def get_service_kwargs(self):
        return {"record": "the page's record"}


def test_a_named_service_gets_the_record_the_form_fields_and_the_actor():
    request = _request(data={"name": "Ada"})
    request.user = "the user"
    view = _Served()
    view.setup(request)
    assert view.post(request).status_code == 302
    assert _Served.calls == [
        {
            "record": "the page's record",
            "name": "Ada",
            "confirm": False,
            "actor": "the user",
        }
    ]


def test_a_validation_error_naming_a_field_lands_on_that_field():
    view, request, response = _post_form(ValidationError({"name": "Not that one."}))
    assert response.status_code == 200
    assert view.invalid_form.errors == {"name": ["Not that one."]}
    assert view.invalid_form["name"].value() == "Ada"  # what was typed stays
    assert list(get_messages(request)) == []


def test_an_application_error_goes_on_its_mapped_field_or_form_wide():
    view, _, _ = _post_form(Conflict("Already ordered today."))
    assert view.invalid_form.errors == {"confirm": ["Already ordered today."]}
    view, _, _ = _post_form(ApplicationError("The visit is closed."))
    assert view.invalid_form.non_field_errors() == ["The visit is closed."]


def test_other_exceptions_are_not_swallowed():
    with pytest.raises(KeyError):
        _post_form(KeyError("a bug"))


class _Action(PostActionView):
    raises = None

    def perform(self):
        if self.raises is not None:
            raise self.raises
        return "ok"

    def get_success_message(self, result):
        return f"Done: {result}."

    def get_redirect_url(self, result=None):
        return "/back/"


@pytest.mark.parametrize(
    "raises, expected",
    [
        (None, ["Done: ok."]),
        (ApplicationError("Already sent."), ["Already sent."]),
        (ValidationError(["First.", "Second."]), ["First.", "Second."]),
    ],
)
def test_a_post_action_shows_the_outcome_as_a_message(raises, expected):
    request = _request()
    response = _Action.as_view(raises=raises)(request)
    assert response.status_code == 302 and response["Location"] == "/back/"
    assert [str(m) for m in get_messages(request)] == expected


class _ServedAction(PostActionView):
    @staticmethod
    def service(**kwargs):
        return kwargs

    def get_service_kwargs(self):
        return {"record": "the record"}

    def get_success_message(self, result):
        return f"Done: {sorted(result.items())}"

    def get_redirect_url(self, result=None):
        return "/back/"


def test_a_post_action_calls_its_named_service_with_the_record_and_the_actor():
    request = _request()
    request.user = "the user"
    _ServedAction.as_view()(request)
    assert [str(m) for m in get_messages(request)] == [
        "Done: [('actor', 'the user'), ('record', 'the record')]"
    ]


def test_a_post_action_refuses_get():
    assert _Action.as_view()(_request(method="get")).status_code == 405


class _Filter(forms.Form):
    q = forms.CharField(required=False)
    day = forms.DateField(required=False)


class _List(FilteredListMixin, ListView):
    filter_form_class = _Filter
    template_name = "clinic/staff_list.html"

    def get_queryset(self):
        self.seen = self.get_filters()
        return []


def _list(path):
    view = _List()
    view.setup(_request(method="get", path=path))
    view.object_list = view.get_queryset()
    return view, view.get_context_data()


def test_the_list_gets_clean_filters_and_a_query_string_without_page():
    view, context = _list("/l/?q=ada&page=3&day=2026-12-05")
    assert view.seen["q"] == "ada" and str(view.seen["day"]) == "2026-12-05"
    assert context["querystring"] == "q=ada&day=2026-12-05"
    assert context["filter_form"] is view.filter_form


def test_a_bad_filter_shows_its_error_and_lists_unfiltered():
    view, context = _list("/l/?day=31-31-2026")
    assert view.seen == {}
    assert "day" in context["filter_form"].errors


def test_filter_arguments_rename_fields_and_leave_out_an_invalid_form():
    view, _ = _list("/l/?q=ada&day=2026-12-05")
    assert view.filter_arguments("day", q="query") == {
        "query": "ada",
        "day": view.seen["day"],
    }
    assert view.filter_arguments(q="query") == {"query": "ada"}
    bad, _ = _list("/l/?q=ada&day=31-31-2026")
    assert bad.filter_arguments("day", q="query") == {}


def test_querystring_keeps_repeated_keys():
    assert querystring(_request(method="get", path="/l/?s=a&s=b&page=2")) == "s=a&s=b"


def test_a_view_without_perform_says_so():
    with pytest.raises(ImproperlyConfigured):
        ServiceFormMixin().perform(None)
