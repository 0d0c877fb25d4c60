"""Maillage events: who comes, where they sit, which meetings took place and what came of them.

``model`` holds the types; ``selection`` picks participants among the members (search, park,
sector, a pasted list of names); ``pairs`` finds the synergies between participants;
``planning`` is the one door to the seating algorithm; ``jobs`` the use cases that write;
``outcome`` what the synergies between participants became after the event; ``page`` what
the event's page shows.
"""
