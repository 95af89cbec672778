"""A shore tank with a steady flow in (a load port fed by the network) or out (a terminal pumping on).

The level moves continuously between zero and the capacity, so it is computed when asked rather than
stepped hour by hour. Tankers reserve a whole cargo, first come first served: at a load port a tanker
waits at anchorage until the tank holds its cargo; at a terminal, until the tank has room for it.
The level is therefore the stock not yet promised to a tanker.
"""

from __future__ import annotations

from collections import deque
from functools import partial

import simpy

EPS_KT = 1e-6


class ShoreTank:
    def __init__(self, env: simpy.Environment, capacity_kt: float, level_kt: float,
                 flow_kt_per_h: float) -> None:
        """`flow_kt_per_h` > 0 fills the tank (load port); < 0 empties it (discharge terminal)."""
        if capacity_kt <= 0:
            raise ValueError('"capacity_kt" must be > 0.')
        if not 0 <= level_kt <= capacity_kt:
            raise ValueError('"level_kt" must be between 0 and "capacity_kt".')
        self.env = env
        self.capacity_kt = capacity_kt
        self.flow_kt_per_h = flow_kt_per_h
        self._level_kt = level_kt
        self._at_h = env.now
        self.unused_flow_kt = 0.0  # inflow turned away while full, or outflow capacity idle while empty
        self.full_h = 0.0
        self.empty_h = 0.0
        self._queue: deque[tuple[float, simpy.Event]] = deque()  # (+cargo to deposit | -cargo to withdraw)
        self._wake_generation = 0

    @property
    def level_kt(self) -> float:
        self.catch_up()
        return self._level_kt

    def catch_up(self) -> None:
        """Bring the level and the full/empty counters up to the present."""
        self._advance()

    def withdraw(self, amount_kt: float) -> simpy.Event:
        """An event that fires once `amount_kt` has been taken out (a tanker's cargo at a load port)."""
        return self._enqueue(-amount_kt)

    def deposit(self, amount_kt: float) -> simpy.Event:
        """An event that fires once `amount_kt` has been put in (a tanker's cargo at a terminal)."""
        return self._enqueue(amount_kt)

    def _enqueue(self, signed_kt: float) -> simpy.Event:
        if abs(signed_kt) > self.capacity_kt + EPS_KT:
            raise ValueError(f"a cargo of {abs(signed_kt):g} kt cannot fit a tank of {self.capacity_kt:g} kt")
        event = self.env.event()
        self._queue.append((signed_kt, event))
        self._serve()
        return event

    def _advance(self) -> None:
        dt = self.env.now - self._at_h
        if dt <= 0:
            return
        self._at_h = self.env.now
        rate, level, cap = self.flow_kt_per_h, self._level_kt, self.capacity_kt
        if rate > 0 and level + rate * dt > cap:
            self.full_h += dt - (cap - level) / rate
            self.unused_flow_kt += level + rate * dt - cap
            self._level_kt = cap
        elif rate < 0 and level + rate * dt < 0:
            self.empty_h += dt - level / -rate
            self.unused_flow_kt += -(level + rate * dt)
            self._level_kt = 0.0
        else:
            self._level_kt = level + rate * dt
            if rate == 0:
                self.full_h += dt if level >= cap - EPS_KT else 0.0
                self.empty_h += dt if level <= EPS_KT else 0.0

    def _serve(self, _event: simpy.Event | None = None) -> None:
        self._advance()
        while self._queue:
            signed, event = self._queue[0]
            room = self.capacity_kt - self._level_kt
            short = (-signed - self._level_kt) if signed < 0 else (signed - room)
            if short <= EPS_KT:
                self._level_kt = min(self.capacity_kt, max(0.0, self._level_kt + signed))
                self._queue.popleft()
                event.succeed()
                continue
            # Only the head waits (first come first served); wake when the flow has made up the shortfall.
            helps = (signed < 0 < self.flow_kt_per_h) or (signed > 0 > self.flow_kt_per_h)
            if helps:
                self._wake_generation += 1
                generation = self._wake_generation
                wake = self.env.timeout(short / abs(self.flow_kt_per_h))
                wake.callbacks.append(partial(self._wake, generation))
            return

    def _wake(self, generation: int, _event: simpy.Event) -> None:
        if generation == self._wake_generation:
            self._serve()
