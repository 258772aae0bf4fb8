"""The unified schema (docs/architecture.md): one module per domain, all on one metadata."""

from .base import Base
from .billing import (
    Payment,
    Plan,
    Subscription,
    SubscriptionEvent,
    TenantQuotaOverride,
    UsageDaily,
    UsageEvent,
)
from .market import Asset, EngineOutputDaily, EngineRelease, PriceBar
from .ops import AlertEvaluation, AuditLog, ComplianceEvent, DataVersion, Notification, Run
from .research import BacktestEquityDaily, BacktestRun, PaperTradeRun, Strategy, StrategyVersion
from .tenancy import Tenant, TenantUser, User, UserAssetSetting
from .trading import BrokerAccount, Fill, Holding, Order, Portfolio, Signal

__all__ = [
    "AlertEvaluation",
    "Asset",
    "AuditLog",
    "BacktestEquityDaily",
    "BacktestRun",
    "Base",
    "BrokerAccount",
    "ComplianceEvent",
    "DataVersion",
    "EngineOutputDaily",
    "EngineRelease",
    "Fill",
    "Holding",
    "Notification",
    "Order",
    "PaperTradeRun",
    "Payment",
    "Plan",
    "Portfolio",
    "PriceBar",
    "Run",
    "Signal",
    "Strategy",
    "StrategyVersion",
    "Subscription",
    "SubscriptionEvent",
    "Tenant",
    "TenantQuotaOverride",
    "TenantUser",
    "UsageDaily",
    "UsageEvent",
    "User",
    "UserAssetSetting",
]
