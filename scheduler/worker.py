"""`siar run`: an APScheduler scheduler that plans daily and publishes posts as
they fall due. APScheduler only decides when our functions run; the database holds the
posts, so several workers (or a worker and the web app) coordinate through it."""

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from scheduler.catalog_cache import refreshed
from scheduler.checks.post_checks import CheckSettings
from scheduler.clock import Clock
from scheduler.config import Settings
from scheduler.content.cadence import cron_trigger
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.heartbeat import beat
from scheduler.instance import instance_id
from scheduler.leader import leadership_for
from scheduler.localtime import format_compact, local_date
from scheduler.planning import PlanRequest, PlanSummary, plan_posts
from scheduler.publishing.attempt import Outcome
from scheduler.publishing.claims import (
    expire_overdue,
    next_due_at,
    worker_id,
)
from scheduler.publishing.dispatch import Dispatcher
from scheduler.publishing.factory import AdapterFactory
from scheduler.publishing.gate import Gate
from scheduler.publishing.reconcile import Reconciled, reconcile_uncertain
from scheduler.publishing.recovery import recover_abandoned
from scheduler.publishing.retrying import busy, reason
from scheduler.token_refresh import TokenRefresher
from scheduler.users import PLANNER

log = logging.getLogger(__name__)
DISPATCH_SECONDS = 1  # how late a due post may be, at most, before a tick notices it
MAINTENANCE_SECONDS = 60  # abandoned claims and reconciliation (the leader only)
# Abandoned claims, alone (the leader only; nothing in it waits for a platform): a dead
# worker's posts hold their accounts (one request in flight each) until recovered.
RECOVERY_SECONDS = 5
HEARTBEAT_SECONDS = 20  # a sign of life, and the leader's lease renewed (a third of it)


@dataclass
class Worker:
    engine: Engine
    catalog: Catalog
    settings: Settings
    clock: Clock
    factory: AdapterFactory
    name: str = field(default_factory=worker_id)
    # Read the content again at each planning when a file changed (`siar run`): a worker
    # running for weeks plans with today's content. Off for a worker given a catalog.
    reload_content: bool = False

    def __post_init__(self) -> None:
        if not self.factory.instance_id:
            self.factory.instance_id = instance_id(self.engine)
        self.gate = Gate(self.catalog, self.settings.max_lateness)
        self.missed = 0  # posts this worker found past their lateness limit
        self.started_at = self.clock.now()
        self.dispatcher = Dispatcher(self.engine, self.factory, self.settings, self.clock,
                                     self.name, self.gate)
        # Of several workers on one database, one (the leader) plans and maintains.
        self.leader = leadership_for(self.engine, self.name)
        self.leading = False

    def plan_ahead(self) -> PlanSummary:
        """The daily job: plan today and the next SIAR_PLAN_DAYS_AHEAD days (with the
        content as it is now, when `reload_content`)."""
        if self.reload_content:
            self.catalog = refreshed(self.catalog, self.settings.content_dir,
                                     self.settings.templates_dir)
        today = local_date(self.clock.now(), self.settings.timezone)
        request = PlanRequest(date_from=today,
                              date_to=today + timedelta(days=self.settings.plan_days_ahead))
        summary = plan_posts(self.engine, self.catalog, self.settings.templates_dir, request,
                             self.clock.now(), actor=PLANNER,
                             checks=CheckSettings.of(self.settings))
        log.info("perencanaan %s..%s: %s baru", request.date_from, request.date_to,
                 summary.total_created)
        return summary

    def plan_if_leading(self) -> PlanSummary | None:
        """The daily planning job: on the leader only (another worker plans otherwise)."""
        self.heartbeat()
        return self.plan_ahead() if self.leading else None

    def maintain(self) -> list[Reconciled]:
        """A heartbeat; then, on the leader only: claims of dead workers become
        uncertain; posts past their lateness limit become missed; uncertain posts are
        looked up."""
        self.heartbeat()
        self.report_alive()
        if not self.leading:
            return []
        self.recover()
        self.refresh_tokens()
        return reconcile_uncertain(self.engine, self.factory, self.settings, self.clock,
                                   self.name)

    def recover_if_leading(self) -> None:
        """Take the lead if it is free (a dead leader's jobs move within seconds, not at
        the next heartbeat); then, on the leader, recover dead workers' claims, and look
        the recovered posts up at once rather than at the next maintenance."""
        try:
            self.leading = self.leader.lead(self.clock.now())
        except Exception as exc:
            self.leading = False
            _failed(exc, f"pekerja {self.name} tidak dapat memeriksa kepemimpinan")
            return
        if self.leading and self.recover():
            reconcile_uncertain(self.engine, self.factory, self.settings, self.clock,
                                self.name)

    def report_alive(self) -> None:
        """One INFO line a minute: this worker lives, leads or not, and what is next."""
        try:
            with session_scope(self.engine, write=False) as session:
                upcoming = next_due_at(session, self.clock.now())
        except Exception as exc:
            _failed(exc, f"pekerja {self.name} tidak dapat membaca unggahan berikutnya")
            return
        log.info("pekerja %s hidup%s; unggahan disetujui berikutnya: %s", self.name,
                 " (pemimpin: merencanakan dan merawat)" if self.leading else "",
                 format_compact(upcoming, self.settings.timezone) if upcoming else "tidak ada")

    def refresh_tokens(self) -> None:
        """Renew connected accounts' tokens that expire soon (scheduler.token_refresh);
        a failure is logged, never raised."""
        try:
            TokenRefresher(self.engine, self.factory, self.clock).run()
        except Exception:
            log.exception("pembaruan token akun gagal")

    def heartbeat(self, *, first: bool = False) -> None:
        """Tell operators this worker is alive (`siar status`, the Operasi page), and keep
        or take the lead of the periodic jobs. Runs in its own job and before the
        periodic ones; a failure is logged, never raised (and then this worker does not
        lead until the next beat)."""
        now = self.clock.now()
        try:
            beat(self.engine, name=self.name, started_at=self.started_at, now=now,
                 prune=first)
        except Exception as exc:
            _failed(exc, f"detak pekerja {self.name} tidak tercatat")
        try:
            self.leading = self.leader.lead(now)
        except Exception as exc:
            self.leading = False
            _failed(exc, f"pekerja {self.name} tidak dapat memeriksa kepemimpinan")

    def step_down(self) -> None:
        """Give the lead up when stopping, so that another worker takes it at once."""
        try:
            self.leader.release()
        except Exception:
            log.exception("kepemimpinan pekerja %s tidak terlepas; berakhir sendiri", self.name)
        self.leading = False

    def recover(self) -> int:
        """Claims of dead workers become uncertain; posts past their lateness limit become
        missed (quick: nothing here waits for a platform). How many claims were
        recovered."""
        recovered = recover_abandoned(self.engine, self.clock.now(), self.settings.claim_lease,
                                      self.name, live=self.dispatcher.leases.held())
        if recovered:
            log.warning("%s unggahan ditinggal pekerja yang berhenti: kini uncertain",
                        len(recovered))
        missed = expire_overdue(self.engine, self.gate, self.clock.now(), self.name)
        self.missed += len(missed)
        if missed:
            log.warning("%s unggahan terlewat batas waktunya: kini missed (tidak diterbitkan)",
                        len(missed))
        return len(recovered)

    def run_once(self, progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
        """Publish what is due now and return (for cron and demos); `progress` hears
        (posts done, posts known so far)."""
        self.maintain()
        try:
            return self.dispatcher.drain(progress)
        finally:
            self.dispatcher.shutdown()
            self.step_down()

    def dispatch(self, scheduler: BaseScheduler) -> None:
        """Start what is due; if the next post falls due before the next tick, wake up at
        its exact instant instead of up to a second late."""
        self.dispatcher.tick()
        now = self.clock.now()
        with session_scope(self.engine, write=False) as session:
            upcoming = next_due_at(session, now)
        if upcoming is not None and upcoming - now <= timedelta(seconds=DISPATCH_SECONDS):
            wake = datetime.now(UTC) + (upcoming - now)  # the scheduler runs on real time
            scheduler.add_job(self._safely(self.dispatcher.tick), DateTrigger(wake),
                              id="dispatch-at", replace_existing=True)

    def build_scheduler(self) -> BackgroundScheduler:
        scheduler = BackgroundScheduler(timezone=self.settings.timezone)
        scheduler.add_job(self._safely(lambda: self.dispatch(scheduler)), IntervalTrigger(
            seconds=DISPATCH_SECONDS), id="dispatch", max_instances=1, coalesce=True)
        scheduler.add_job(self._safely(self.heartbeat), IntervalTrigger(
            seconds=HEARTBEAT_SECONDS), id="heartbeat", max_instances=1, coalesce=True)
        scheduler.add_job(self._safely(self.maintain), IntervalTrigger(
            seconds=MAINTENANCE_SECONDS), id="maintain", max_instances=1, coalesce=True)
        scheduler.add_job(self._safely(self.recover_if_leading), IntervalTrigger(
            seconds=RECOVERY_SECONDS), id="recover", max_instances=1, coalesce=True)
        scheduler.add_job(self._safely(self.plan_if_leading), cron_trigger(
            self.settings.plan_at, self.settings.timezone), id="plan", max_instances=1,
            coalesce=True, misfire_grace_time=3600)
        return scheduler

    def run_forever(self, on_ready: Callable[[], None] | None = None) -> None:
        """Run until SIGTERM or SIGINT; then let posts in flight finish and stop."""
        scheduler = self.build_scheduler()

        stopping = threading.Event()

        def stop(signum: int, _frame: FrameType | None) -> None:
            log.info("sinyal %s: berhenti setelah pengiriman yang sedang berjalan selesai",
                     signal.Signals(signum).name)
            stopping.set()

        previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            # Due posts first: looking uncertain posts up waits for the platforms, so it
            # runs in the maintenance job, beside the dispatcher, not before it.
            self.heartbeat(first=True)
            if self.leading:
                self.recover()
            self.dispatcher.tick()
            scheduler.add_job(self._safely(self.maintain), id="maintain-now")
            if not stopping.is_set() and self.leading:
                self.plan_ahead()
                self.dispatcher.tick()
            if on_ready:
                on_ready()
            if not stopping.is_set():
                scheduler.start()
            while not stopping.wait(1.0):  # a signal sets it; the main thread only waits
                pass
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=False)
            self.dispatcher.shutdown()
            self.step_down()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            log.info("pekerja %s berhenti", self.name)

    def _safely(self, job: Callable[[], object]) -> Callable[[], None]:
        """A job's exception is logged, never allowed to stop the scheduler."""
        def run() -> None:
            try:
                job()
            except Exception as exc:
                _failed(exc, f"tugas {getattr(job, '__name__', job)} gagal")

        run.__name__ = getattr(job, "__name__", "job")
        return run


def _failed(exc: Exception, what: str) -> None:
    """A busy database is a warning (the job runs again at its next tick); anything else
    is logged with its traceback."""
    if busy(exc):
        log.warning("%s: basis data sibuk (%s); dicoba lagi nanti", what, reason(exc))
    else:
        log.error("%s", what, exc_info=exc)
