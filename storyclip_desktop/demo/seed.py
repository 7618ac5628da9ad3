"""Demo data for ``--seed-demo``: the demo user, a few running batches, some history.

The demo user is stable (same id in every database): ``demo@storyclip.app`` with
password ``storyclip-demo``. Running batches are added only when the user has
none running, so a restart of the backend resumes them instead of adding more.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .config import DEMO_EMAIL, DEMO_PASSWORD
from .store import iso_now

if TYPE_CHECKING:
    from .server import Backend

DEMO_USER_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://storyclip.app/demo-user"))

RUNNING: list[tuple[str, list[str], set[int]]] = [
    (
        "job_lanzamiento_otono",
        [
            "Otoño 2025 · Look 1 — abrigo camel",
            "Otoño 2025 · Look 2 — punto grueso",
            "Otoño 2025 · Look 3 — botas chelsea",
            "Detrás de cámaras: el estudio",
            "Otoño 2025 · Look 4 — traje de pana",
            "Paleta de color de la temporada",
            "Otoño 2025 · Look 5 — gabardina",
            "Entrevista: la diseñadora",
            "Otoño 2025 · Look 6 — vestido midi",
            "Cómo combinar tierra y burdeos",
            "Otoño 2025 · Look 7 — chaqueta acolchada",
            "Accesorios: bufandas y gorros",
            "Otoño 2025 · Look 8 — cárdigan largo",
            "Tutorial: tres formas de llevar el pañuelo",
            "Otoño 2025 · Look 9 — pantalón de pinzas",
            "Clienta del mes: Marta",
            "Otoño 2025 · Look 10 — abrigo cruzado",
            "Preguntas y respuestas con el equipo",
            "Lookbook completo en 30 segundos",
            "¡Ya disponible en tienda!",
        ],
        {8, 15},
    ),
    (
        "job_recetas_semana",
        [
            "Tortilla de patatas en 60 s",
            "Gazpacho andaluz",
            "Croquetas de jamón",
            "Pisto manchego",
            "Salmorejo cordobés",
            "Pan con tomate",
            "Lentejas de la abuela",
            "Flan casero",
        ],
        {5},
    ),
    (
        "job_rodaje_making_of",
        [
            "Making of — día 1",
            "Making of — día 2",
            "Bloopers",
            "El equipo",
            "Teaser final",
        ],
        set(),
    ),
]

FINISHED_TITLES = [
    "Resumen del verano",
    "Top 3 destinos",
    "Playa al amanecer",
    "Ruta en bici",
    "Atardecer en Cádiz",
    "Gracias por 10k",
]


def _posts(slug: str, titles: list[str], failing: set[int]) -> list[dict[str, Any]]:
    return [
        {
            "id": f"post_{slug}_{n}",
            "url": f"https://cdn.storyclip.app/demo/{slug}/{n:02d}.mp4",
            "text": title,
            "simulate": "fail" if n in failing else "ok",
        }
        for n, title in enumerate(titles, start=1)
    ]


def seed_demo(backend: Backend) -> None:
    """Create the demo user and, when it has nothing running, the demo batches."""
    store = backend.store
    user = store.user_by_email(DEMO_EMAIL)
    user_id = (
        str(user["id"])
        if user is not None
        else store.add_user(DEMO_EMAIL, DEMO_PASSWORD, DEMO_USER_ID)
    )
    running = store.one(
        "SELECT COUNT(*) AS n FROM publish_batches WHERE user_id = ?"
        " AND status IN ('processing', 'paused')",
        user_id,
    )
    if running is not None and int(running["n"]) > 0:
        return
    _finished_batch(backend, user_id)
    for job_id, titles, failing in RUNNING:
        backend.publisher.create(
            user_id=user_id,
            job_id=job_id,
            mode="now",
            scheduled_for=None,
            account_id="demo-account",
            publish_speed="normal",
            posts=_posts(job_id.removeprefix("job_"), titles, failing),
        )


def _finished_batch(backend: Backend, user_id: str) -> None:
    """A batch that ended yesterday, for the history view."""
    store = backend.store
    yesterday = datetime.now(UTC) - timedelta(days=1)
    stamp = yesterday.strftime("%Y-%m-%d %H:%M:%S")
    batch_id = f"batch_{int(yesterday.timestamp() * 1000)}_demo01"
    if store.one("SELECT 1 FROM publish_batches WHERE batch_id = ?", batch_id) is not None:
        return
    total = len(FINISHED_TITLES)
    with store.tx():
        store.run(
            "INSERT INTO publish_batches (batch_id, job_id, user_id, status, publish_mode, total,"
            " published, failed, current_index, account_id, created_at, started_at,"
            " completed_at, updated_at)"
            " VALUES (?, 'job_resumen_verano', ?, 'completed', 'now', ?, ?, 0, ?,"
            " 'demo-account', ?, ?, ?, ?)",
            batch_id,
            user_id,
            total,
            total,
            total,
            stamp,
            stamp,
            stamp,
            stamp,
        )
        for n, title in enumerate(FINISHED_TITLES, start=1):
            store.run(
                "INSERT INTO publish_batch_clips (batch_id, clip_index, post_id, url, title,"
                " status, metricool_post_id, facebook_post_id, attempts, uploaded_at,"
                " published_at) VALUES (?, ?, ?, ?, ?, 'published', ?, ?, 1, ?, ?)",
                batch_id,
                n,
                f"post_resumen_{n}",
                f"https://cdn.storyclip.app/demo/resumen/{n:02d}.mp4",
                title,
                f"mc_demo_{n:04d}",
                f"10000000000{n:04d}",
                iso_now(),
                iso_now(),
            )
