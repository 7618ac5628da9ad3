"""The local backend as the tests run it: the shipped one plus test switches.

``python -m tests.demo_ext serve ...`` takes every option of
``python -m storyclip_desktop.demo serve`` plus ``--faults JSON`` (initial fault
switches), and serves the loopback-only ``/__admin`` endpoint: fault switches
(:mod:`.faults`), users, revocation, info, the flood stream (:mod:`.admin`) and
bench batches (:mod:`.bench`). It fills in the backend's extension hooks
(:mod:`storyclip_desktop.demo.extensions`) with :class:`.switches.Switches`; none
of this is in the wheel or the frozen app. ``tests/backend.py`` starts it.
"""
