"""Where a resident page's time goes, measured in process: CPU ms per request against the
trivial signed-in view, steady on a loaded machine (bench/pages.py measures the served figures).

    .venv/bin/python bench/pages_cpu.py                       # after bench/pages.py loaded data
    .venv/bin/python bench/pages_cpu.py --profile /charges/   # pyinstrument tree of one page

Uses the database bench/pages.py left (BENCH_DATABASE_URL) and one of its residents; DEBUG=0,
the cache warm as it is on a server that has served the page before.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from imports import DEFAULT_URL  # noqa: E402

PAGES = [
    "/bench/trivial/",
    "/home/",
    "/accounts/",
    "/accounts/{a}/",
    "/charges/",
    "/readings/{a}/",
    "/readings/{a}/history/",
    "/payments/",
    "/payments/pay/",
    "/requests/",
    "/news/",
    "/settings/",
    "/charges/{a}/{period}/epd.pdf",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--requests", type=int, default=40, help="per page, after 3 to warm up")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median is reported")
    parser.add_argument("--only", default="", help="comma-separated pages of the list (as shown)")
    parser.add_argument("--profile", default="", help="print a pyinstrument profile of this page")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    os.environ["STATIC_MANIFEST"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "")
    import django

    django.setup()
    import logging

    logging.getLogger("kabinet.request").setLevel(logging.WARNING)
    from django.test import Client

    from kabinet.accounts.models import AccountLink
    from kabinet.billing.models import Period

    link = AccountLink.objects.select_related("user", "account").filter(
        user__username__startswith="bench"
    ).order_by("pk").first()
    if link is None:
        sys.exit("no bench residents: run bench/pages.py first")
    latest = Period.objects.filter(organisation_id=link.account.organisation_id).latest("month")
    client = Client()
    client.force_login(link.user)

    if args.only:
        wanted = [page.strip() for page in args.only.split(",")]
        unknown = [page for page in wanted if page not in PAGES]
        if unknown:
            sys.exit(f"not in the list: {unknown}")
        PAGES[1:] = [page for page in PAGES[1:] if page in wanted]

    def url(page: str) -> str:
        return page.format(a=link.account.pk, period=f"{latest.month:%Y-%m}")

    if args.profile:
        from pyinstrument import Profiler

        for _ in range(3):
            client.get(url(args.profile))
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(10):
            client.get(url(args.profile))
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return

    def measure(target: str) -> tuple[float, float]:
        for _ in range(3):
            response = client.get(target)
            assert response.status_code == 200, (target, response.status_code)
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(args.requests):
            client.get(target)
        return (
            (time.process_time() - cpu) * 1000 / args.requests,
            (time.perf_counter() - wall) * 1000 / args.requests,
        )

    # The trivial view is measured right before each page, as bench/pages.py does in its runs:
    # on a shared machine the CPU time of a request drifts with the load, so a page is compared
    # with the trivial view of the same moment (the ratio is the median of those pairs).
    results: dict[str, list[tuple[float, float, float]]] = {page: [] for page in PAGES}
    for _round in range(args.repeat):
        for page in PAGES:
            trivial_cpu, _ = measure(url(PAGES[0]))
            cpu, wall = measure(url(page))
            results[page].append((cpu, wall, trivial_cpu / cpu))
    print(f"in-process, {args.requests} requests × {args.repeat} rounds, median CPU ms per request;"
          " ratio: the trivial view's CPU ms measured just before, over the page's")
    print(f"{'page':<32}{'CPU ms':>8}{'wall ms':>9}{'ratio':>7}")
    for page in PAGES:
        cpu = statistics.median(c for c, _, _ in results[page])
        wall = statistics.median(w for _, w, _ in results[page])
        ratio = statistics.median(r for _, _, r in results[page])
        print(f"{page:<32}{cpu:>8.2f}{wall:>9.2f}{ratio:>7.2f}")

if __name__ == "__main__":
    main()
