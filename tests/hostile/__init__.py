"""The hostile-inbox acceptance corpus (issue 12, hardening): specs in ``make_hostile``, the run in
``test_hostile_corpus``. Every file is made at test time; nothing binary is committed."""
