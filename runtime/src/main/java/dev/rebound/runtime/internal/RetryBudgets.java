package dev.rebound.runtime.internal;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.rules.RetryRules;
import dev.rebound.runtime.rules.Rules;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where named retry budgets live: one set per lineage of {@link ReboundSettings} (settings made with
 * {@code builder()}, and every settings made from them with {@code toBuilder()}), as the in-process
 * rate-limit store is shared: every method run with the same settings or a later version of them (all
 * woven code, with the global ones, across {@code setGlobal(global().toBuilder()...build())}) shares a
 * budget by name, and a test with settings of its own gets budgets of its own. Within a lineage a budget
 * is kept per clock, as a rate-limit bucket is: its window reads the clock it was made on, whose readings
 * have an origin of their own. Asked at resolution and when the global settings change, never per call.
 *
 * <p>A method reading the global settings live (woven, Guice's without settings, a wrapper built without
 * {@code settings(...)}) runs on the lineage of whatever settings {@code setGlobal} brings, so its budget's
 * definition goes with it: it is defined among all such methods and in the global settings' lineage, and
 * carried into the new lineage by {@code setGlobal} ({@link #globalChanged}). A later build defining the
 * name otherwise is refused, as on one lineage; one built before on the new settings is warned about.
 */
public final class RetryBudgets {

    /** The budgets of one lineage of settings: how each name is defined, and its budget per clock. */
    public static final class Lineage {
        private final Definitions.Registry defined = new Definitions.Registry();
        private final Map<NameOnClock, RetryBudget> budgets = new ConcurrentHashMap<>();

        private Lineage() {
        }
    }

    /** A budget's values: how a name is defined. */
    private record Shape(double ratio, int minPerSecond) {
    }

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    private static final Map<ReboundSettings, Lineage> LINEAGES = Collections.synchronizedMap(new WeakHashMap<>());
    /** How the methods reading the global settings live define their budgets, whatever those settings are. */
    private static final Definitions.Registry LIVE = new Definitions.Registry();

    private RetryBudgets() {
    }

    /**
     * Notes that {@code settings}, just made, belong to {@code from} (a lineage {@link #lineageOf} gave for
     * the settings {@code toBuilder()} was called on), or to a new lineage when {@code from} is null.
     */
    public static void made(ReboundSettings settings, Lineage from) {
        LINEAGES.put(settings, from != null ? from : new Lineage());
    }

    /** The lineage of {@code settings}, which settings made from them with {@code toBuilder()} carry over. */
    public static Lineage lineageOf(ReboundSettings settings) {
        return LINEAGES.get(settings);
    }

    /**
     * The budget {@code policy} draws on under {@code settings}, made on first use; null when the policy
     * has none. An unnamed budget is the one of {@code scope} (the interface). A budget outlives the
     * application that defined it, as the calls it counted happened: one redeployed with the same values
     * goes on with it; one with other values (the name free again, {@link Definitions}) gets a budget of
     * those values over the same window of calls and retries.
     */
    public static RetryBudget of(ReboundSettings settings, RetryPolicy policy, String scope) {
        if (!policy.hasBudget()) {
            return null;
        }
        String name = nameOf(policy, scope);
        TimeSource clock = settings.timeSource();
        double ratio = policy.budgetRatio();
        int minPerSecond = policy.budgetMinPerSecond();
        return LINEAGES.get(settings).budgets.compute(new NameOnClock(name, clock), (k, old) -> old == null
                ? new RetryBudget(name, ratio, minPerSecond, clock.nanoTime())
                : old.sameAs(ratio, minPerSecond) ? old : old.withValues(ratio, minPerSecond));
    }

    /**
     * Defines the budget of {@code policy} once {@code build} registers and returns null, or the problem of
     * {@code where} when the lineage or the build defines the same name otherwise, naming the policy's
     * {@code attribute} ({@code "@Retry.budget"}, {@code "budget"}). {@code settings} null: the global
     * settings, read live; then the methods reading them live, whatever they were, define the name too.
     */
    public static String conflict(ReboundSettings settings, RetryPolicy policy, String scope, String where,
            String attribute, Definitions build) {
        if (!policy.hasBudget()) {
            return null;
        }
        String name = nameOf(policy, scope);
        Definitions.Registry home = settings != null ? LINEAGES.get(settings).defined : LIVE;
        return build.define(home, settings != null ? null : () -> LINEAGES.get(ReboundSettings.global()).defined,
                name, new Shape(policy.budgetRatio(), policy.budgetMinPerSecond()), found -> {
                    Shape first = (Shape) found;
                    return Rules.at(where, RetryRules.budgetDefinedOtherwise(attribute, name, first.ratio(),
                            first.minPerSecond(), policy.budgetRatio(), policy.budgetMinPerSecond()));
                });
    }

    /**
     * {@code setGlobal} brought {@code settings}: the budgets the methods reading the global settings live
     * define are defined in their lineage too, so that a build on it is held to them; a name the lineage
     * defines otherwise already (a method built with settings of that lineage) is said in a WARN.
     */
    public static void globalChanged(ReboundSettings settings) {
        for (String problem : Definitions.carry(LIVE, LINEAGES.get(settings).defined, (name, live, there) -> {
            Shape l = (Shape) live;
            Shape t = (Shape) there;
            return RetryRules.budgetDefinedOtherwiseByNewGlobal(name, l.ratio(), l.minPerSecond(), t.ratio(),
                    t.minPerSecond());
        })) {
            LOG.warn("ReboundSettings.setGlobal: {}", problem);
        }
    }

    private static String nameOf(RetryPolicy policy, String scope) {
        return policy.budget().isEmpty() ? scope : policy.budget();
    }
}
