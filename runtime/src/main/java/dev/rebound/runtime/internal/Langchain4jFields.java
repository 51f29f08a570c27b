package dev.rebound.runtime.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.function.BiPredicate;

/**
 * Reads what langchain4j keeps in its objects' fields, where it offers no API to ask: the chat model behind
 * an AiServices proxy ({@link SelfRetryCheck}), its context ({@link AiServicesProxies}). Followed through
 * langchain4j objects only, a few levels deep; a field that can't be read (a closed module) is passed over.
 */
final class Langchain4jFields {

    private Langchain4jFields() {
    }

    /**
     * The first field value that {@code wanted} accepts (given the field's name and value), among the fields of
     * {@code holder} and, depth first, of the langchain4j objects they hold, down to {@code maxDepth} levels
     * below {@code holder}; null when none does or {@code holder} is not a langchain4j object.
     */
    static Object find(Object holder, int maxDepth, BiPredicate<String, Object> wanted) {
        return find(holder, 0, maxDepth, wanted);
    }

    private static Object find(Object holder, int depth, int maxDepth, BiPredicate<String, Object> wanted) {
        if (holder == null || depth > maxDepth || !isLangchain4j(holder)) {
            return null;
        }
        for (Class<?> c = holder.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getType().isPrimitive() || Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Object value;
                try {
                    f.setAccessible(true);
                    value = f.get(holder);
                } catch (ReflectiveOperationException | RuntimeException unreadable) {
                    continue;
                }
                if (wanted.test(f.getName(), value)) {
                    return value;
                }
                Object deeper = find(value, depth + 1, maxDepth, wanted);
                if (deeper != null) {
                    return deeper;
                }
            }
        }
        return null;
    }

    static boolean isLangchain4j(Object o) {
        return o.getClass().getName().startsWith("dev.langchain4j.");
    }
}
