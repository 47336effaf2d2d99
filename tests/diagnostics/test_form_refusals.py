"""A refusal on a diagnostics form page stays on the form with what was typed
(it used to redirect to the order with a message, losing the input)."""

import pytest
from django.urls import reverse

from diagnostics import services
from diagnostics.models import TestDefinition
from tests.diagnostics.factories import make_order

pytestmark = pytest.mark.django_db


def test_cancelling_a_resulted_order_is_refused_on_the_form(client, make_user):
    order = make_order(panels=(), tests=("GLU",))
    services.results_enter(
        order=order,
        values={TestDefinition.objects.get(code="GLU"): "90"},
        actor=make_user("Nurse"),
    )
    client.force_login(order.ordering_clinician)
    response = client.post(
        reverse("diagnostics:order-cancel", args=[order.pk]),
        {"reason": "Patient declined the draw"},
    )
    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert "it cannot be cancelled" in error
    assert "Patient declined the draw" in response.content.decode()
    order.refresh_from_db()
    assert order.status != "cancelled"


def test_sending_an_order_not_collected_is_refused_with_a_message(client, make_user):
    order = make_order(panels=(), tests=("GLU",))
    client.force_login(make_user("Nurse"))
    response = client.post(
        reverse("diagnostics:order-send", args=[order.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == order.get_absolute_url()
    [shown] = [m for m in response.context["messages"] if m.level_tag == "error"]
    order.refresh_from_db()
    assert order.status == "ordered" and str(shown)
