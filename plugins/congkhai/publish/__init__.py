"""The citizens' page: a static, accessible Vietnamese site of what a commune discloses (issue 16).

``build_site(run, day, out)`` writes it; ``site_content(run, day)`` is what it shows. See
docs/public-site.md.
"""

from congkhai.publish.content import SiteContent, site_content
from congkhai.publish.site import BuildResult, build_site

__all__ = ["BuildResult", "SiteContent", "build_site", "site_content"]
