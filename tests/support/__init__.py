"""What the tests share, one module per thing it owns; ``conftest.py`` keeps fixtures only.

- :mod:`tests.support.settings`: the data folder and the settings of a test database.
- :mod:`tests.support.postgis`: the PostGIS server of the run, or a skip with the reason.
- :mod:`tests.support.accounts`: one account per role, signing in through the real form.
- :mod:`tests.support.browser`: headless Chromium and a page signed in.
- :mod:`tests.support.import_files`: membership CSV files as a member would send them.
- :mod:`tests.support.seeded_registry`: eight members and their candidate synergies.
- :mod:`tests.support.geocoder_server`, :mod:`tests.support.routing_server`: local servers that
  speak the online geocoders' and routing engines' JSON (the internet, replaced).
- :mod:`tests.support.fuzzing`: what the two schemathesis fuzz tests share.
- :mod:`tests.support.clock`: a clock that moves only when the code under test sleeps.
- :mod:`tests.support.concurrent_writer`: one writer of the concurrency tests (thread or process).
- :mod:`tests.support.pages`: what the tests read out of a rendered page.
- :mod:`tests.support.inference_data`, :mod:`tests.support.inference_attacks`,
  :mod:`tests.support.inference_run`: the inference suite's truth, outputs, attacks and scores.
- :mod:`tests.support.twin_registry`: a registry's twin that differs only in hidden values.

A test module imports from here, never from ``conftest`` or from another test module
(``tests/test_suite_layout.py`` checks).
"""
