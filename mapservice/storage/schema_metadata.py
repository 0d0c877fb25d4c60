"""The one :class:`sqlalchemy.MetaData` every declared table belongs to.

:mod:`mapservice.storage.schema` and the modules that declare more tables for it (such as
:mod:`mapservice.storage.event_schema`) share it, so ``schema.metadata`` holds them all.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
