package dev.rebound.runtime.internal;

import dev.rebound.runtime.rules.NamedClassRules;
import dev.rebound.runtime.rules.Rules;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;

/**
 * Whether every class a policy annotation names is present at run time. Reflection parses a class
 * attribute ({@code @Fallback.to}, {@code @Retry.on}, ...) whose class its class loader cannot load into a
 * value that throws {@link TypeNotPresentException} when read: read here first, each missing class becomes
 * a problem naming the method and the attribute instead of that raw exception at the first reading.
 */
final class NamedClasses {

    private NamedClasses() {
    }

    /** Whether every class attribute of {@code annotation} can be read. */
    static boolean present(Annotation annotation) {
        return present(annotation, "", new java.util.ArrayList<>());
    }

    /**
     * Whether every class attribute of {@code annotation} (null: none) can be read; each one that can't
     * is added to {@code problems} as a problem of {@code where}.
     */
    static boolean present(Annotation annotation, String where, List<String> problems) {
        if (annotation == null) {
            return true;
        }
        boolean present = true;
        Method[] attributes = annotation.annotationType().getDeclaredMethods();
        java.util.Arrays.sort(attributes, java.util.Comparator.comparing(Method::getName)); // a stable order
        for (Method attribute : attributes) {
            Class<?> type = attribute.getReturnType();
            if (type != Class.class && type != Class[].class) {
                continue;
            }
            try {
                attribute.invoke(annotation);
            } catch (InvocationTargetException e) {
                if (!(e.getCause() instanceof TypeNotPresentException missing)) {
                    throw new IllegalStateException(e.getCause());
                }
                problems.add(Rules.at(where, NamedClassRules.missing("@" + annotation.annotationType().getSimpleName()
                        + "." + attribute.getName(), nameOf(missing))));
                present = false;
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return present;
    }

    /** The missing class's binary name (a class found but not linkable is reported under its cause's name). */
    private static String nameOf(TypeNotPresentException missing) {
        String name = missing.typeName();
        if (name.startsWith("[") && missing.getCause() != null && missing.getCause().getMessage() != null) {
            return missing.getCause().getMessage().replace('/', '.');
        }
        return name;
    }
}
