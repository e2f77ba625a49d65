"""The portfolio's pages that judge it (``endorsement.portfolio_views``). The root URLconf puts
each list in front of the portfolio app's own patterns, in the portfolio's namespace."""

from django.urls import path

from attunement.endorsement import portfolio_views

# In the namespace "portfolio", at /me/portfolio/.
own_patterns = [
    path("needs/", portfolio_views.needs, name="needs"),
    path("export.json", portfolio_views.export, name="export"),
]

# In the namespace "portfolio_staff", at /<association_slug>/staff/portfolios/.
staff_patterns = [
    path("<str:portfolio_id>/", portfolio_views.portfolio_detail, name="detail"),
]
