"""The diagnosis rules, one small module per cause or family of causes.

Every rule is a function ``Evidence -> list[Finding]``: empty when its cause does not apply.
Rules are independent and each states its own exclusions (a 2.7 lock wait is not a GIL
problem, an exit-time wait is not a swallowed interrupt), so their order here is only the order
findings are shown in: who gets the signal first, then what the main thread does with it.
"""

from __future__ import annotations

from typing import Callable

from sigkit.diagnose.evidence import Evidence
from sigkit.diagnose.rules import (
    asyncio_loop,
    cleanup,
    gil,
    graceful,
    kernel,
    multiproc,
    orphans,
    pools,
    prompt,
    shutdown,
    signals,
    startup,
    stop,
    swallowed,
    waits,
)
from sigkit.findings import Finding

Rule = Callable[[Evidence], list[Finding]]

RULES: tuple[Rule, ...] = (
    startup.pressed_during_startup,
    stop.grace_overrun,
    stop.pid1_no_handler,
    stop.shell_wrapper,
    stop.handler_replaced,
    signals.ignored,
    signals.blocked,
    signals.not_foreground,
    kernel.d_state,
    waits.uninterruptible,
    gil.main_c_call,
    gil.worker_holds_gil,
    gil.busy_workers,
    gil.slow_handler,
    graceful.graceful,
    graceful.stopped_with_requests_in_flight,
    cleanup.slow_cleanup,
    shutdown.executor,
    shutdown.nondaemon,
    pools.process_pool,
    pools.asyncio_executor,
    multiproc.pool_hang,
    asyncio_loop.blocked_loop,
    prompt.back_at_prompt,
    swallowed.swallowed,
    shutdown.lost_work,
    stop.default_term,
    orphans.orphans,
)
