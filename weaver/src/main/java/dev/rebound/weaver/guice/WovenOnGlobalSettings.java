package dev.rebound.weaver.guice;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A woven object that a module with settings of its own ({@code new ReboundModule(settings)},
 * {@code ReboundModule.wrapping(settings, ...)}) leaves to its aspect, which runs its policies on the
 * global settings: said once per class, as {@code Rebound.wrap(...).settings(...)} over a woven object
 * says it, so that a test's clock and listeners are never silently not used.
 */
final class WovenOnGlobalSettings {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private WovenOnGlobalSettings() {
    }

    /** {@code why}: how the module came to leave {@code type} to its aspect. */
    static void warnOnce(Class<?> type, String why) {
        if (WARNED.add(type.getName())) {
            LOG.warn("ReboundModule: {} is woven and {}, so its aspect applies its policies with the global "
                    + "settings: the module's own settings(...) are not used for it. Give a woven class its clock "
                    + "and listeners with ReboundSettings.setGlobal", type.getName(), why);
        }
    }
}
