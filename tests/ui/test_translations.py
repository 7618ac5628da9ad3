"""Languages: the choice, the shipped catalogues being complete and compiled."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication

from storyclip_desktop.ui.resources import choose_language, install_translator, translations_dir
from storyclip_desktop.ui.texts import plural

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    ("given", "chosen"),
    [("es", "es"), ("es_MX", "es"), ("ES-es", "es"), ("en", "en"), ("en_GB", "en"), ("fr", "en")],
)
def test_lang_option(given: str, chosen: str) -> None:
    assert choose_language(given) == chosen


@pytest.mark.parametrize(
    ("lang_env", "chosen"), [("es_ES.UTF-8", "es"), ("de_DE.UTF-8", "en"), ("C", "en")]
)
def test_system_language_decides_without_the_option(lang_env: str, chosen: str) -> None:
    code = (
        "from PySide6.QtCore import QCoreApplication;"
        "from storyclip_desktop.ui.resources import install_translator;"
        "app = QCoreApplication([]);"
        "print(install_translator(app, None));"
        "print(QCoreApplication.translate('Texts', 'Live'))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    env.update({"LANG": lang_env, "LANGUAGE": "", "LC_ALL": lang_env})
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert out[0] == chosen
    assert " ".join(out[1:]) == ("En directo" if chosen == "es" else "Live")


def test_install_translator_switches_texts_and_date_locale(qapp: QApplication) -> None:
    assert install_translator(qapp, "es") == "es"
    assert QCoreApplication.translate("Texts", "Processing") == "En proceso"
    assert plural().batches_publishing(2) == "2 lotes publicándose"
    assert QLocale().language() == QLocale.Language.Spanish
    assert install_translator(qapp, "en") == "en"
    assert QCoreApplication.translate("Texts", "Processing") == "Processing"
    assert plural().batches_publishing(1) == "1 batch publishing"
    assert plural().batches_publishing(3) == "3 batches publishing"
    assert QLocale().language() == QLocale.Language.English


_COUNTS = {
    "en": {
        "published_failed_1": "19 of 20 clips were published, 1 failed",
        "published_failed_2": "18 of 20 clips were published, 2 failed",
        "published_1": "1 of 20 clips was published",
        "idle": "Nothing publishing · 3 batches finished",
        "busy": "1 batch publishing · 1 batch finished · 1 clip failed",
        "done_1": "0 of 1 clip done so far.",
        "progress": "30 / 30 clips · 1 failed",
        "failed_sentence_1": "1 clip failed.",
        "failed_sentence_2": "2 clips failed.",
    },
    "es": {
        "published_failed_1": "Se publicaron 19 de 20 clips; 1 falló",
        "published_failed_2": "Se publicaron 18 de 20 clips; 2 fallaron",
        "published_1": "Se publicó 1 de 20 clips",
        "idle": "Nada publicándose · 3 lotes terminados",
        "busy": "1 lote publicándose · 1 lote terminado · 1 clip falló",
        "done_1": "0 de 1 clip terminado hasta ahora.",
        "progress": "30 / 30 clips · 1 fallido",
        "failed_sentence_1": "Falló 1 clip.",
        "failed_sentence_2": "Fallaron 2 clips.",
    },
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_count_sentences_use_the_shipped_numerus_forms(qapp: QApplication, lang: str) -> None:
    """Through the compiled .qm files (as ``--lang`` loads them): one and many differ
    where the language says so ("1 falló", "2 fallaron"), and nothing runs as "0 …"."""
    assert install_translator(qapp, lang) == lang
    texts = plural()
    got = {
        "published_failed_1": texts.clips_published_failed(19, 20, 1),
        "published_failed_2": texts.clips_published_failed(18, 20, 2),
        "published_1": texts.clips_published(1, 20),
        "idle": texts.batches_summary(0, 3),
        "busy": texts.batches_summary(1, 1, 1),
        "done_1": texts.clips_done_so_far(0, 1),
        "progress": texts.clips_progress(30, 30, 1),
        "failed_sentence_1": texts.failed_clips_sentence(1),
        "failed_sentence_2": texts.failed_clips_sentence(2),
    }
    assert got == _COUNTS[lang]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_numerus_message_has_its_plural_forms(lang: str) -> None:
    """A numerus message without forms falls back to the English "(s)" source."""
    root = ET.parse(translations_dir() / f"storyclip_{lang}.ts").getroot()
    numerus = [m for m in root.iter("message") if m.get("numerus") == "yes"]
    assert len(numerus) >= 15
    for message in numerus:
        forms = [f.text or "" for f in message.iter("numerusform")]
        assert len(forms) == 2, message.findtext("source")
        assert all("(s)" not in f and "(es)" not in f for f in forms), forms


@pytest.mark.skipif(not (BIN / "pyside6-lupdate").exists(), reason="needs pyside6-lupdate")
def test_every_string_is_translated_and_the_qm_files_are_current(tmp_path: Path) -> None:
    """Re-extracting the UI's strings finds nothing new or unfinished, and the
    committed .qm files are what lrelease makes of the committed .ts files."""
    sources = sorted(str(p) for p in (ROOT / "storyclip_desktop" / "ui").rglob("*.py"))
    for lang in ("es", "en"):
        shipped = translations_dir() / f"storyclip_{lang}.ts"
        ts = tmp_path / shipped.name
        shutil.copy(shipped, ts)
        subprocess.run(
            [
                str(BIN / "pyside6-lupdate"),
                "-no-obsolete",
                "-locations",
                "none",
                "-source-language",
                "en",
                "-target-language",
                lang,
                *sources,
                "-ts",
                str(ts),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        root = ET.parse(ts).getroot()
        messages = root.findall("./context/message")
        stale = ("unfinished", "vanished", "obsolete")
        unfinished = [
            m.findtext("source")
            for m in messages
            if m.find("translation").get("type") in stale  # type: ignore[union-attr]
        ]
        hint = "translate these, then run resources/update-translations.sh"
        assert unfinished == [], f"{lang}: {hint}"
        assert len(messages) == len(ET.parse(shipped).getroot().findall("./context/message"))
        qm = tmp_path / f"storyclip_{lang}.qm"
        subprocess.run(
            [str(BIN / "pyside6-lrelease"), "-silent", str(shipped), "-qm", str(qm)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        assert qm.read_bytes() == (translations_dir() / qm.name).read_bytes(), (
            f"{qm.name} is stale: run resources/update-translations.sh"
        )
