from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from attunement.associations.models import StaffInvitation, StaffRole
from attunement.lib.http import SignedInRequest
from attunement.people import actions
from attunement.people.forms import ProfileForm
from attunement.people.models import User


@require_GET
def home(request: SignedInRequest) -> HttpResponse:
    """A signed-in person's own page: their roles in each association and their account."""
    # select_related: each role links to its association's staff pages.
    roles = (
        StaffRole.objects.current()
        .filter(user=request.user)
        .select_related("association")
        .order_by("association__name", "role")
    )
    by_association: dict[int, dict[str, object]] = {}
    for role in roles:
        entry = by_association.setdefault(role.association_id, {"association": role.association, "roles": []})
        entry["roles"].append(role.get_role_display())  # type: ignore[attr-defined]
    # One query: open invitations to any of the person's confirmed addresses.
    confirmed = EmailAddress.objects.filter(user_id=request.user.pk, verified=True).annotate(low=Lower("email"))
    invited = StaffInvitation.objects.filter(
        email__in=confirmed.values("low"), accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).count()
    return render(request, "people/home.html", {"staff_of": list(by_association.values()), "invited": invited})


def profile(request: SignedInRequest) -> HttpResponse:
    person = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=User.objects.get(pk=person.pk))
        if form.is_valid():
            changed = actions.update_profile(actor=person, person=person, values=form.cleaned_data)
            messages.success(request, _("Your profile is saved.") if changed else _("Nothing to save: no changes."))
            return redirect("people:profile")
        return render(request, "people/profile.html", {"form": form}, status=400)
    return render(request, "people/profile.html", {"form": ProfileForm(instance=person)})
