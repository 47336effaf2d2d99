"""The RQ dashboard in the embedded mode: jobs run in-process, there is no queue,
and the README's link answers with a page that says so (it was a 500)."""

import pytest

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/django_rq/dashboard/"


def test_embedded_mode_explains_that_jobs_run_in_process(client, admin_user, settings):
    settings.JOBS_INLINE = True
    client.force_login(admin_user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="jobs-in-process"' in page and "REDIS_URL" in page
    # Any page under the dashboard, not only its front page.
    assert client.get(DASHBOARD + "queues/0/").status_code == 200


def test_with_redis_the_real_dashboard_answers(client, admin_user, settings, redis_url):
    settings.JOBS_INLINE = False
    client.force_login(admin_user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert 'id="jobs-in-process"' not in response.content.decode()


def test_the_note_is_for_staff_only(client, make_user, settings):
    settings.JOBS_INLINE = True
    client.force_login(make_user("Nurse"))
    response = client.get(DASHBOARD)
    assert response.status_code in (302, 403)
