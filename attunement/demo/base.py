"""What the demo's parts share: the run's state and the personas' password. The parts (in
each app's ``demo.py``) import this, and the loader imports the parts, so nothing circles."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from attunement.associations.models import Association
from attunement.people.models import User

PASSWORD = "attunement-demo-password"  # noqa: S105  (printed for the demo; 24 characters)


@dataclass
class Demo:
    rng: random.Random
    associations: dict[str, Association] = field(default_factory=dict)
    personas: dict[str, User] = field(default_factory=dict)
    members: dict[str, list[User]] = field(default_factory=dict)
    operator: User | None = None
    password: str = PASSWORD  # every persona's, so the parts need not import this module
