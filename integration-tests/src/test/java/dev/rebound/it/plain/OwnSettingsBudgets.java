package dev.rebound.it.plain;

import dev.rebound.annotations.RateLimit;
import dev.rebound.annotations.Retry;

/**
 * Interfaces bound with {@code ReboundModule.wrapping(settings, ...)} on settings of their own, whose
 * retry budget and rate-limit key are defined in those settings only, not in the global settings'
 * ({@code GuiceModuleTest.aBindingOnSettingsOfItsOwnDefinesItsBudgetAndKeyThereNotInTheGlobalSettings}). A
 * name each, so that no other test defines it.
 */
public final class OwnSettingsBudgets {

    private OwnSettingsBudgets() {
    }

    /** Bound first, then its budget and key are named with other values under the global settings. */
    public interface BoundFirst {
        @Retry(attempts = 2, delay = 0, budget = "guice-own-settings-first", budgetRatio = 0.5)
        @RateLimit(key = "guice-own-settings-first", requestsPerMinute = 600)
        String ask(String q);
    }

    /** Bound after its budget and key were defined with other values under the global settings. */
    public interface BoundAfter {
        @Retry(attempts = 2, delay = 0, budget = "guice-own-settings-after", budgetRatio = 0.5)
        @RateLimit(key = "guice-own-settings-after", requestsPerMinute = 600)
        String ask(String q);
    }

    /** What the global settings' wrappers wrap. */
    public interface Other {
        String other(String q);
    }
}
