"""Every reason code the core can report (core/reasons.py, the one list both
sides import) has its own sentence in the ui."""

from __future__ import annotations

from storyclip_desktop.core.reasons import SIGN_IN_REASONS, SIGN_OUT_REASONS, VAULT_REASONS
from storyclip_desktop.ui.texts import sign_in_error, signed_out_text, vault_text


def test_every_sign_in_reason_has_its_own_sentence() -> None:
    generic = sign_in_error(None)
    sentences = {reason: sign_in_error(reason) for reason in SIGN_IN_REASONS}
    assert generic not in sentences.values()
    assert len(set(sentences.values())) == len(SIGN_IN_REASONS)


def test_every_end_of_session_but_the_users_own_is_explained() -> None:
    for reason in SIGN_OUT_REASONS - {"user"}:
        assert signed_out_text(reason), reason
    assert signed_out_text("user") == ""


def test_every_vault_reason_has_a_sentence() -> None:
    assert all(vault_text(reason) for reason in VAULT_REASONS)
