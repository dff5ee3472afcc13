"""The integration settings of the Portal do Gestor, once validated (compiler/integracao.py
reads and checks the YAML; the runtime only uses these): per source system its base URL, its
token as that system's screen takes it, and what else the seed's section 5 configures.

A token is a secret: `repr` never shows it, and `authorization` is the only way out of it (the
header value, `Bearer <code>`, whatever the screen's own form)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

# The seed's schedules: Saúde sends every hour once its token is saved; Protocolo at the end
# of every day when "Ativar" is on; Almoxarifado and Patrimônio cloud when their script is
# scheduled (Gerenciador de scripts). Everything else is sent by hand.
HOURLY = "horaria"
DAILY = "diaria"


@dataclass(frozen=True, slots=True)
class System:
    """One source system (Sapo, Folha, …). `token` is as its screen takes it (`Bearer ` and the
    code for Compras and Patrimônio desktop, the code only elsewhere)."""

    name: str
    url: str
    token: str = field(repr=False)
    exercicio: int | None = None
    schedule: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # poder, ambiente, linha, script…, as text

    @property
    def code(self) -> str:
        """The token's code, without the `Bearer ` some screens want before it."""
        return self.token.removeprefix("Bearer ")

    @property
    def authorization(self) -> str:
        return f"Bearer {self.code}"

    def option(self, name: str) -> str | None:
        return dict(self.options).get(name)


@dataclass(frozen=True, slots=True)
class Folha:
    """Betha Folha's settings: the categories to send and, per linked entity (its code), the
    events of each group (cargos comissionados, funções gratificadas, horas extras,
    afastamentos) — inputs of the Pessoal indicators."""

    categorias: tuple[str, ...]
    eventos: tuple[tuple[str, tuple[tuple[str, tuple[int, ...]], ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Delivery:
    """How `apura send` talks to the service: seconds per request, tries per request (network
    errors and 5xx), the first wait between tries (doubled each time, at most `max_wait`), the
    wait between polls of a lote and how long to poll before leaving it for the next send."""

    timeout: float = 30.0
    tries: int = 5
    wait: float = 1.0
    max_wait: float = 30.0
    poll: float = 2.0
    poll_limit: float = 600.0


@dataclass(frozen=True, slots=True)
class Settings:
    systems: tuple[System, ...]
    delivery: Delivery = Delivery()
    folha: Folha | None = None

    def system(self, name: str) -> System | None:
        return next((s for s in self.systems if s.name == name), None)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every token code: what is redacted from any text stored or shown."""
        return tuple(s.code for s in self.systems if s.code)
