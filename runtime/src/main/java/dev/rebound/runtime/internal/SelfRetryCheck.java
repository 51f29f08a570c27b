package dev.rebound.runtime.internal;

import java.lang.reflect.Field;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds langchain4j models that still retry by themselves. Their builders default to
 * {@code maxRetries = 2}: inside a Rebound retry of 3 attempts that is up to 9 requests, with
 * langchain4j's own sleeps in between that no Rebound policy sees. Warns once per model class.
 */
public final class SelfRetryCheck {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    private static final Set<Class<?>> WARNED = ConcurrentHashMap.newKeySet();

    private SelfRetryCheck() {
    }

    /**
     * The {@code maxRetries} of a langchain4j object (a model made by its builder), or 0 when it is
     * not one, has none, or it can't be read.
     */
    public static int builtInRetries(Object target) {
        Class<?> type = target.getClass();
        if (!type.getName().startsWith("dev.langchain4j.")) {
            return 0;
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField("maxRetries");
                f.setAccessible(true);
                Object v = f.get(target);
                return v instanceof Integer ? (Integer) v : 0;
            } catch (NoSuchFieldException next) {
                // look in the superclass
            } catch (ReflectiveOperationException | RuntimeException unreadable) {
                return 0; // e.g. a named module that doesn't open its package
            }
        }
        return 0;
    }

    /**
     * Logs a warning, once per class, when {@code target} retries by itself. Returns whether it
     * warned now.
     */
    public static boolean warnIfSelfRetrying(Object target, String where) {
        int retries = builtInRetries(target);
        if (retries <= 0 || !WARNED.add(target.getClass())) {
            return false;
        }
        LOG.warn("{}: {} has its own retries on (maxRetries = {}): each Rebound attempt may send up to {} "
                + "requests, with waits no Rebound policy sees. Build it with .maxRetries(0).", where,
                target.getClass().getSimpleName(), retries, retries + 1);
        return true;
    }
}
