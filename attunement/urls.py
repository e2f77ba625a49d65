from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.views.i18n import set_language

from attunement.api import views as api_views
from attunement.api.urls import api_urls
from attunement.associations import views as association_views
from attunement.credentials import views as credential_views
from attunement.endorsement import portfolio_urls, portfolio_views
from attunement.lib import views as lib_views
from attunement.mail import views as mail_views
from attunement.mail import webhooks as mail_webhooks
from attunement.portfolios import staff_urls as portfolio_staff_urls
from attunement.portfolios import urls as portfolio_own_urls
from attunement.rsc import views as rsc_views


@login_not_required
def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin signs in through the same door as everyone (lock-out, second factor)."""
    return redirect(f"{reverse('account_login')}?{urlencode({'next': request.GET.get('next', '/admin/')})}")


admin.site.login = admin_login  # type: ignore[method-assign]
admin.site.site_header = "Attunement"
admin.site.site_title = "Attunement"

urlpatterns = [
    path("", association_views.deployment_home, name="home"),
    path("healthz", lib_views.health, name="health"),
    path("mail/events/<slug:provider>/", mail_webhooks.tracking, name="mail_tracking"),
    path("mail/unsubscribe/<str:token>/", mail_views.unsubscribe, name="mail_unsubscribe"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # The portfolio's pages and, in the same namespace, the ones that judge it (endorsement).
    path("me/portfolio/", include((portfolio_urls.own_patterns + portfolio_own_urls.urlpatterns, "portfolio"))),
    path("me/applications/", include("attunement.endorsement.urls")),
    path("me/membership/", include("attunement.membership.me_urls")),
    path("me/invoices/", include("attunement.payments.me_urls")),
    path("me/workforce/", include("attunement.workforce.me_urls")),
    path("me/credentials/", include("attunement.credentials.me_urls")),
    path("me/listing/", include("attunement.registry.me_urls")),
    path("me/rsc/", include("attunement.rsc.me_urls")),
    path("me/training/", include("attunement.training.me_urls")),
    path("me/invitations/", include("attunement.associations.me_urls")),
    path("me/", include("attunement.people.urls")),
    path("reference/<str:token>/", portfolio_views.reference_form, name="reference_form"),
    path("rsc-confirm/<str:token>/", rsc_views.confirm_link, name="rsc_confirm"),
    path("api/v1/", api_urls()),
    path("docs/api/", api_views.developer_guide, name="api_docs"),
    path("<slug:association_slug>/staff/training/", include("attunement.training.staff_urls")),
    path(
        "<slug:association_slug>/staff/portfolios/",
        include((portfolio_urls.staff_patterns + portfolio_staff_urls.urlpatterns, "portfolio_staff")),
    ),
    path("<slug:association_slug>/staff/invoices/", include("attunement.payments.urls")),
    path("<slug:association_slug>/staff/fees/", include("attunement.payments.fee_urls")),
    path("<slug:association_slug>/staff/membership/", include("attunement.membership.staff_urls")),
    path("<slug:association_slug>/staff/", include("attunement.endorsement.staff_urls")),
    path("<slug:association_slug>/staff/", include("attunement.associations.audit_urls")),
    path("<slug:association_slug>/staff/workforce/", include("attunement.workforce.urls")),
    path("<slug:association_slug>/staff/api/", include("attunement.api.staff_urls")),
    path("<slug:association_slug>/staff/rsc/", include("attunement.rsc.staff_urls")),
    path("<slug:association_slug>/directory/", include("attunement.registry.urls")),
    path("directory/", include("attunement.registry.public_urls")),
    path("verify/", include("attunement.registry.verify_urls")),
    path("<slug:association_slug>/did.json", credential_views.did_document, name="did_document"),
    path("<slug:association_slug>/credentials/", include("attunement.credentials.urls")),
    path("<slug:association_slug>/rsc/", include("attunement.rsc.urls")),
    path("<slug:association_slug>/training/", include("attunement.training.urls")),
    path("<slug:association_slug>/", include("attunement.associations.urls")),
]
