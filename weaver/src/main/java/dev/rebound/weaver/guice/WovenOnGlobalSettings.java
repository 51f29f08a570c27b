package dev.rebound.weaver.guice;

import dev.rebound.runtime.spi.Policies;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A woven object that a module with settings of its own ({@code new ReboundModule(settings)},
 * {@code ReboundModule.wrapping(settings, ...)}) leaves to its aspect, which runs its policies on the
 * global settings: said once per class, as {@code Rebound.wrap(...).settings(...)} over a woven object
 * says it, so that a test's clock and listeners are never silently not used.
 */
final class WovenOnGlobalSettings {

    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private WovenOnGlobalSettings() {
    }

    /** {@code why}: how the module came to leave {@code type} to its aspect. */
    static void warnOnce(Class<?> type, String why) {
        if (WARNED.add(type.getName())) {
            // through the runtime's logger: the weaver's module does not read SLF4J
            Policies.warn("ReboundModule: " + type.getName() + " is woven and " + why + ", so its aspect applies its "
                    + "policies with the global settings: the module's own settings(...) are not used for it. Give a "
                    + "woven class its clock and listeners with ReboundSettings.setGlobal");
        }
    }
}
