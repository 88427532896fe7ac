"""The volunteers' views, one module a feature: team, activities, calendars, hours
(the ledger) and building (the captain's view). volunteers/urls.py names them."""
