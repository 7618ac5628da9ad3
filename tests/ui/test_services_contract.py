"""The UI's copies of the core's reason codes: the sign-in form and the account view
keep their own lists (so the window can show before the network code is imported);
these tests make sure a reason the core can raise always has a sentence."""

from __future__ import annotations

from typing import get_args

from storyclip_desktop.core.auth import AuthReason
from storyclip_desktop.core.vault import VaultReason
from storyclip_desktop.ui.services import SIGN_IN_REASONS, VAULT_MESSAGES
from storyclip_desktop.ui.texts import sign_in_error, vault_text


def test_every_auth_reason_has_a_sign_in_sentence() -> None:
    assert set(get_args(AuthReason)) == SIGN_IN_REASONS
    generic = sign_in_error(None)
    for reason in SIGN_IN_REASONS:
        assert sign_in_error(reason) != generic, reason


def test_every_vault_reason_has_a_sentence() -> None:
    assert set(get_args(VaultReason)) == VAULT_MESSAGES
    for reason in VAULT_MESSAGES:
        assert vault_text(reason)
