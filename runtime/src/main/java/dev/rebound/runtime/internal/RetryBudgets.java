package dev.rebound.runtime.internal;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.rules.RetryRules;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where named retry budgets live: one set per {@link ReboundSettings} instance, so every method run
 * with the same settings (all woven code, with the global ones) shares a budget by name, and a test
 * with its own settings and clock gets budgets of its own. Asked at resolution and when the global
 * settings change, never per call.
 */
public final class RetryBudgets {

    private static final Map<ReboundSettings, Map<String, RetryBudget>> BY_SETTINGS =
            Collections.synchronizedMap(new WeakHashMap<>());

    private RetryBudgets() {
    }

    /**
     * The budget {@code policy} draws on under {@code settings}, made on first use; null when the
     * policy has none. An unnamed budget is the one of {@code scope} (the interface). The first
     * definition of a name wins; {@link #conflict} tells resolution when another one differs.
     */
    public static RetryBudget of(ReboundSettings settings, RetryPolicy policy, String scope) {
        if (!policy.hasBudget()) {
            return null;
        }
        String name = policy.budget().isEmpty() ? scope : policy.budget();
        Map<String, RetryBudget> budgets = BY_SETTINGS.computeIfAbsent(settings, s -> new ConcurrentHashMap<>());
        return budgets.computeIfAbsent(name, n -> new RetryBudget(n, policy.budgetRatio(), policy.budgetMinPerSecond(),
                settings.timeSource().nanoTime()));
    }

    /**
     * Registers the budget of {@code policy} and returns null, or describes how an existing budget of
     * the same name differs, naming the policy's {@code attribute} ({@code "@Retry.budget"}, {@code "budget"}).
     */
    public static String conflict(ReboundSettings settings, RetryPolicy policy, String scope, String attribute) {
        RetryBudget b = of(settings, policy, scope);
        if (b == null || b.sameAs(policy.budgetRatio(), policy.budgetMinPerSecond())) {
            return null;
        }
        return RetryRules.budgetDefinedOtherwise(attribute, b.name(), b.ratio(), b.minPerSecond(),
                policy.budgetRatio(), policy.budgetMinPerSecond());
    }
}
