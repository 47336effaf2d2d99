"""Registering, editing and switching API clients: the services and the pages."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.exceptions import ApplicationError
from clinic.models import AccessLog
from clinic.services import access_log_record
from smart.models import BackendClient
from smart.services import client_register, client_switch
from smart.testing import issue_test_token
from smart.tokens import Grant, token_issue
from tests.registration.factories import PatientFactory
from tests.smart.support import Key, jwks_text, register, token_url

pytestmark = pytest.mark.django_db


def _register_error(jwks: str = "", scopes: str = "system/*.rs", name="EHR") -> dict:
    with pytest.raises(ValidationError) as refused:
        client_register(name=name, jwks=jwks, allowed_scopes=scopes, actor=None)
    return refused.value.message_dict


def test_a_private_key_is_refused_with_a_clear_message(rsa_key):
    errors = _register_error(json.dumps({"keys": [rsa_key.private_jwk()]}))
    assert "Key 1 is a private key" in errors["jwks"][0]
    assert not BackendClient.objects.exists()


def test_an_ec_private_key_is_refused_too(ec_key):
    errors = _register_error(json.dumps({"keys": [ec_key.private_jwk()]}))
    assert "private key" in errors["jwks"][0] and "“d”" in errors["jwks"][0]


@pytest.mark.parametrize(
    "text, message",
    [
        ("not json", "not valid JSON"),
        ("[]", "JSON Web Key Set"),
        ('{"keys": []}', "JSON Web Key Set"),
        ('{"keys": ["x"]}', "not a JSON object"),
        ('{"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "a"}]}', "only RSA and EC"),
        ('{"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}', "no “kid”"),
        (
            '{"keys": [{"kty": "RSA", "kid": "a", "n": "!!", "e": "AQAB"}]}',
            "cannot be read",
        ),
        (
            '{"keys": [{"kty": "EC", "kid": "a", "crv": "P-256", "x": "a", "y": "b"}]}',
            "P-384",
        ),
        ("[" * 5000 + "]" * 5000, "not valid JSON"),
    ],
)
def test_bad_key_sets_are_refused_by_name(text, message):
    assert message in _register_error(text)["jwks"][0]


def test_a_kid_twice_is_refused(rsa_key):
    errors = _register_error(jwks_text(rsa_key, Key.ec(kid=rsa_key.kid)))
    assert "share the kid" in errors["jwks"][0]


@pytest.mark.parametrize(
    "scopes, message",
    [
        ("", "at least one scope"),
        ("patient/Patient.rs", "not a SMART system scope"),
        ("system/Patient.sr", "not a SMART system scope"),
        ("system/Patient.", "not a SMART system scope"),
        ("system/Patient.rs?category=x", "not a SMART system scope"),
        ("system/Claim.rs", "does not serve"),
    ],
)
def test_scopes_outside_smart_v2_system_syntax_are_refused(rsa_key, scopes, message):
    assert message in " ".join(
        _register_error(jwks_text(rsa_key), scopes)["allowed_scopes"]
    )


def test_a_name_twice_is_refused(rsa_key):
    register(rsa_key, name="EHR")
    assert "name" in _register_error(jwks_text(rsa_key), name="EHR")


def test_switching_needs_a_reason_and_keeps_it_in_history(rsa_key, make_user):
    ehr = register(rsa_key)
    admin = make_user("Administrator")
    with pytest.raises(ValidationError):
        client_switch(client=ehr, on=False, reason="  ", actor=admin)
    client_switch(client=ehr, on=False, reason="contract ended", actor=admin)
    assert ehr.history.first().history_change_reason == "switched off: contract ended"
    with pytest.raises(ApplicationError):
        client_switch(client=ehr, on=False, reason="again", actor=admin)


# --- pages -------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("Administrator"))
    return client


def test_the_list_searches_filters_and_pages(admin_client, rsa_key):
    for number in range(30):
        register(rsa_key, name=f"Warehouse {number:02d}")
    ehr = register(rsa_key, name="Hospital EHR")
    client_switch(client=ehr, on=False, reason="paused", actor=None)
    url = reverse("smart:client-list")
    first = admin_client.get(url)
    assert first.status_code == 200
    assert len(first.context["clients"]) == 25
    assert (
        list(admin_client.get(url, {"page": 2}).context["clients"])[-1].name
        == "Warehouse 29"
    )
    found = admin_client.get(url, {"q": "hospital"}).context["clients"]
    assert [c.name for c in found] == ["Hospital EHR"]
    off = admin_client.get(url, {"switched": "off"}).context["clients"]
    assert [c.name for c in off] == ["Hospital EHR"]
    assert admin_client.get(url, {"switched": "sideways", "page": "x"}).status_code in (
        200,
        404,
    )


def test_an_administrator_registers_a_client_and_sees_its_page(admin_client, rsa_key):
    response = admin_client.post(
        reverse("smart:client-create"),
        {
            "name": "Hospital EHR",
            "jwks": jwks_text(rsa_key),
            "allowed_scopes": "system/Patient.rs\nsystem/Observation.rs",
        },
    )
    ehr = BackendClient.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == ehr.get_absolute_url()
    )
    assert ehr.scope_list == ["system/Patient.rs", "system/Observation.rs"]
    page = admin_client.get(ehr.get_absolute_url())
    html = page.content.decode()
    assert ehr.client_id in html and token_url() in html


def test_a_private_key_pasted_on_the_page_is_shown_as_an_error(admin_client, rsa_key):
    response = admin_client.post(
        reverse("smart:client-create"),
        {
            "name": "EHR",
            "jwks": json.dumps({"keys": [rsa_key.private_jwk()]}),
            "allowed_scopes": "system/*.rs",
        },
    )
    assert response.status_code == 200
    assert "is a private key" in response.content.decode()
    assert not BackendClient.objects.exists()


def test_editing_keeps_the_client_id(admin_client, rsa_key, ec_key):
    ehr = register(rsa_key)
    form = admin_client.get(reverse("smart:client-edit", args=[ehr.pk])).context["form"]
    assert json.loads(form.initial["jwks"]) == ehr.jwks
    admin_client.post(
        reverse("smart:client-edit", args=[ehr.pk]),
        {
            "name": "EHR renamed",
            "jwks": jwks_text(ec_key),
            "allowed_scopes": "system/Patient.rs",
        },
    )
    renamed = BackendClient.objects.get()
    assert renamed.client_id == ehr.client_id and renamed.name == "EHR renamed"
    assert [key["kid"] for key in renamed.jwks["keys"]] == [ec_key.kid]


def test_switch_off_asks_a_confirmation_and_a_reason(admin_client, rsa_key):
    ehr = register(rsa_key)
    url = reverse("smart:client-switch-off", args=[ehr.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"reason": ""}).status_code == 200
    assert BackendClient.objects.get().is_active
    response = admin_client.post(url, {"reason": "contract ended"})
    assert response.status_code == 302
    assert not BackendClient.objects.get().is_active
    back = reverse("smart:client-switch-on", args=[ehr.pk])
    admin_client.post(back, {"reason": "renewed"})
    assert BackendClient.objects.get().is_active


class _ClientAsReader:
    """How a FHIR read is logged: under the client's access-log name."""

    is_authenticated = False

    def __init__(self, username):
        self.username = username

    def get_username(self):
        return self.username


def test_the_client_page_shows_its_tokens_and_its_reads(admin_client, rsa_key):
    ehr = register(rsa_key, name="Old name")
    _token, row = token_issue(client=ehr, scopes=["system/Patient.rs"])
    patient = PatientFactory()
    reader = _ClientAsReader(Grant(client=ehr, scopes=()).username)
    access_log_record(user=reader, action="view", patient=patient, what="FHIR read")
    ehr.name = "New name"
    ehr.save()
    access_log_record(user=_ClientAsReader("fhir-client:Other"), action="view")
    page = admin_client.get(ehr.get_absolute_url())
    assert list(page.context["tokens"]) == [row]
    reads = list(page.context["reads"])
    assert [(r.username, r.patient) for r in reads] == [
        ("fhir-client:Old name", patient)
    ]
    assert patient.mrn in page.content.decode()
    # The page shows patients' MRNs: opening it is itself logged.
    assert AccessLog.objects.latest("id").what == "API client New name: recent reads"


def test_other_roles_may_not_open_the_pages(client, make_user, rsa_key):
    ehr = register(rsa_key)
    client.force_login(make_user("Front desk"))
    for url in (
        reverse("smart:client-list"),
        reverse("smart:client-create"),
        ehr.get_absolute_url(),
        reverse("smart:client-switch-off", args=[ehr.pk]),
    ):
        assert client.get(url).status_code == 403


def test_the_test_token_helper_still_works():
    token = issue_test_token(scopes=("system/Patient.rs",))
    assert token and BackendClient.objects.get(name="test-ehr").scope_list == [
        "system/Patient.rs"
    ]
